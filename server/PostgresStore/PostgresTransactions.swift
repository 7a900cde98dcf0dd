import Logging
import NIOCore
import PostgresNIO
import ServerDirectory
import ServerEngine

/// A connection inside one transaction, with the logger every query needs.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    func run(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger).collect()
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
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
                           _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", domain: domain, body)
    }

    /// A write in one `READ COMMITTED` transaction, run again (up to `maxAttempts`) when it
    /// lost a race it can only see at commit or at a unique key.
    func write<T: Sendable>(_ operation: String, domain: StoreDomain = .engine,
                            _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN", domain: domain, body)
    }

    private func transaction<T: Sendable>(_ operation: String, begin: String, domain: StoreDomain,
                                          _ body: (PostgresSession) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    let session = PostgresSession(connection: connection, logger: logger)
                    try await session.run(PostgresQuery(unsafeSQL: begin))
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

/// Carries a push plan's own error out of the transaction, so it is rethrown unchanged.
struct PlanFailure: Error {
    let error: any Error
}
