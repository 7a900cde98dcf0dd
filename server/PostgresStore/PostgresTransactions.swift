import Logging
import NIOCore
import PostgresNIO
import ServerDirectory
import ServerEngine
import Synchronization

/// A connection inside one transaction, or lent for one statement (`lone`), with the logger
/// every query needs.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    var lone: LoneStatement? = nil

    func run(_ query: PostgresQuery) async throws {
        _ = try await rows(query)
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        if let lone, !lone.take() {
            // Outside a transaction a second statement would see another snapshot than the first.
            throw SyncEngineError(.storage, "a second statement in a read meant for one (\(query.sql.prefix(80))): it needs `read`, not `readAlone`")
        }
        return try await connection.query(query, logger: logger).collect()
    }

    func all<T: PostgresDecodable>(_ query: PostgresQuery, as _: T.Type) async throws -> [T] {
        try await rows(query).map { try $0.decode(T.self) }
    }

    /// The single value of a query that returns exactly one row.
    func one<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) async throws -> T {
        let values = try await all(query, as: type)
        guard values.count == 1 else { throw SyncEngineError(.storage, "expected one row, the database returned \(values.count): \(query.sql.prefix(80))") }
        return values[0]
    }
}

/// Which error type an operation reports its storage failures as.
enum StoreDomain {
    case engine, directory

    func failure(_ message: String) -> any Error {
        switch self {
        case .engine: SyncEngineError(.storage, message)
        case .directory: DirectoryError(.storage, message)
        }
    }
}

extension PostgresSyncStore {
    /// SQLSTATEs after which a transaction is run again from the start: a serialization
    /// failure, a deadlock the server broke, a unique key another transaction took first.
    static let retriedStates: Set<String> = ["40001", "40P01", "23505"]
    static let maxAttempts = 12

    /// A read in one `REPEATABLE READ` snapshot: every statement sees the same committed state.
    func read<T: Sendable>(_ operation: String, domain: StoreDomain = .engine,
                           _ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", domain: domain, body)
    }

    /// A read of one statement, outside a transaction: PostgreSQL runs a lone statement in a
    /// snapshot of its own, so `BEGIN` and `COMMIT` around it would only add two round trips. A
    /// second statement in `body` fails the operation.
    func readAlone<T: Sendable>(_ operation: String, domain: StoreDomain = .engine,
                                _ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(operation, begin: nil, domain: domain) { session in
            var lone = session
            lone.lone = LoneStatement()
            return try await body(lone)
        }
    }

    /// A write in one `READ COMMITTED` transaction, run again (up to `maxAttempts`) when it
    /// lost a race it can only see at commit or at a unique key. `bounded` false (a migration)
    /// lifts the location's operation timeout.
    func write<T: Sendable>(_ operation: String, domain: StoreDomain = .engine, bounded: Bool = true,
                            _ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN", domain: domain, bounded: bounded, body)
    }

    /// One attempt waits at most `location.operationTimeout` for its connection and its
    /// statements together: past it the attempt fails as a storage error, whatever the
    /// connection does, and is not run again (unless `bounded` is false: a migration).
    private func transaction<T: Sendable>(_ operation: String, begin: String?, domain: StoreDomain, bounded: Bool = true,
                                          _ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                let run: @Sendable () async throws -> T = { [logger] in
                    try await withPooledConnection(operation, begin: begin) { connection in
                        let session = PostgresSession(connection: connection, logger: logger)
                        guard begin != nil else { return try await body(session) }
                        do {
                            let value = try await body(session)
                            try await session.run("COMMIT")
                            return value
                        } catch {
                            // A broken connection is dropped by the pool; a failed ROLLBACK changes nothing more.
                            try? await session.run("ROLLBACK")
                            throw error
                        }
                    }
                }
                guard bounded else { return try await run() }
                // Cancelling the attempt returns even a silent connection's lease to the pool
                // (PostgresConnectionFaultTests).
                let limit = location.operationTimeout
                return try await withDeadline(limit, expired: { [logger] in
                    logger.error("a database operation did not finish in time", metadata: ["operation": "\(operation)", "seconds": "\(limit.components.seconds)"])
                    return domain.failure("\(operation) did not finish within \(limit.components.seconds) s (operation_timeout): the database or the connection to it does not answer")
                }, run)
            } catch let error as SyncEngineError {
                // A directory operation reports its own type, also for a row it could not read.
                if domain == .directory, error.code == .storage { throw domain.failure(error.message) }
                throw error
            } catch let error as DirectoryError {
                throw error
            } catch let failure as PlanFailure {
                throw failure.error
            } catch let error as PSQLError where Self.retriedStates.contains(error.serverInfo?[.sqlState] ?? "") && attempt < Self.maxAttempts {
                logger.debug("transaction retried", metadata: ["operation": "\(operation)", "attempt": "\(attempt)",
                                                               "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            } catch {
                throw domain.failure("\(operation) failed after \(attempt) attempt(s): \(Self.describe(error))")
            }
        }
    }

    /// How long an operation first waits for a connection that answers before it asks again;
    /// each time it asks again it waits twice as long, so a pool that is only busy (whose
    /// requests are answered in turn) is not asked over and over, each time at the back.
    static let leaseWait: Duration = .seconds(5)

    /// Runs `body` on a connection of the pool, in a transaction begun with `begin` when given.
    /// With postgres-nio 1.33, a lease request that waited while the pool's reconnects failed was
    /// at times never answered once it connected again (seen after a database failover, where it
    /// held a group of pushes; PostgresConnectionFaultTests plays it). So a request not lent
    /// within `leaseWait` a connection that answered `begin` is withdrawn and made again; and
    /// `connectionWatch` fails the operation whose connection closes under it.
    func withPooledConnection<T: Sendable>(_ operation: String, begin: String? = nil,
                                           _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var wait = Self.leaseWait
        while true {
            try Task.checkCancellation()
            let lease = LeaseRequest()
            do {
                return try await withDeadline(wait, expired: { lease.withdrawIfWaiting() ? LeaseRequest.Withdrawn() : nil }) { [client, logger, connectionWatch] in
                    try await client.withConnection { connection in
                        if let begin { try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger).collect() }
                        guard lease.take() else {
                            // Answered just as it was withdrawn: the connection goes back unused.
                            if begin != nil { _ = try? await connection.query("ROLLBACK", logger: logger).collect() }
                            throw LeaseRequest.Withdrawn()
                        }
                        return try await connectionWatch.run(operation, on: connection, body)
                    }
                }
            } catch is LeaseRequest.Withdrawn {
                logger.warning("no connection answered in time; asked the pool again",
                               metadata: ["operation": "\(operation)", "seconds": "\(wait.components.seconds)"])
                wait *= 2
            }
        }
    }

    /// PostgreSQL's own words for a failure (its SQLSTATE and message), not the driver's
    /// generic description.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return "PostgreSQL \(info[.sqlState] ?? "?"): \(info[.message] ?? "")" + (info[.detail].map { " (\($0))" } ?? "")
        }
        return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
    }
}

/// One request for a connection: taken by the operation or withdrawn, never both.
final class LeaseRequest: Sendable {
    struct Withdrawn: Error {}
    private enum State { case waiting, taken, withdrawn }
    private let state = Mutex(State.waiting)

    /// The operation starts on the connection it was lent, unless the request was withdrawn.
    func take() -> Bool {
        state.withLock { s in
            guard s == .waiting else { return false }
            s = .taken
            return true
        }
    }

    /// Withdraws the request if no connection was taken yet.
    func withdrawIfWaiting() -> Bool {
        state.withLock { s in
            guard s == .waiting else { return false }
            s = .withdrawn
            return true
        }
    }
}

/// Lets one statement run: `readAlone`'s guard.
final class LoneStatement: Sendable {
    private let ran = Atomic<Bool>(false)

    /// True the first time only.
    func take() -> Bool { !ran.exchange(true, ordering: .relaxed) }
}

/// Carries a push plan's own error out of the transaction, so it is rethrown unchanged.
struct PlanFailure: Error {
    let error: any Error
}
