import DataProtection
import FieldModel
import Logging
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// The storage backend for several server instances sharing one PostgreSQL database.
///
///     let store = try await PostgresSyncStore.open(try PostgresLocation(url: "postgres://doorstep@db/doorstep"))
///     let engine = SyncEngine(store: store, configuration: .init(serverReplica: replica))
///
/// The same tables as the SQLite store, in one schema, migrated on open (instances starting
/// together take turns under an advisory lock). Each operation is one transaction on a pooled
/// connection; errors are `SyncEngineError` (`storage`), never PostgreSQL's.
///
/// Concurrency (the contract of `SyncStore`: a pull never skips a change that commits late):
/// sequence numbers are allocated under a lock held until commit. A push locks the rows it
/// reads (`FOR UPDATE`, in id order), plans, and only then takes the row of `meta.last_seq`
/// with `UPDATE … RETURNING`: that row lock orders the write tails of concurrent pushes, so
/// they commit in sequence order, and a pull's snapshot that shows a sequence shows every
/// smaller one. Reads run in `REPEATABLE READ` snapshots and take no lock. A push that planned
/// on a record another instance created meanwhile, or on a dot another instance processed
/// meanwhile (a device retrying on a second instance), fails a unique key and is retried from
/// the start, when it sees the other's commit.
public struct PostgresSyncStore: SyncStore {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    public let location: PostgresLocation
    public let codec: StoredRecordCodec
    let chains: LogChains
    /// Fails an operation whose connection closes under it.
    let connectionWatch = ConnectionWatch()

    /// Connects, creates the schema if needed and applies missing migrations. Record states are
    /// sealed under `keys`, which every instance sharing the database must hold.
    public static func open(_ location: PostgresLocation, keys: KeyRing, logger: Logger = Logger(label: "doorstep.postgres")) async throws -> PostgresSyncStore {
        try await open(location, codec: StoredRecordCodec(keys: keys), chains: LogChains(keys: keys), logger: logger)
    }

    /// A store sealing with `codec` (`StoredRecordCodec.unsealed` measures what sealing costs).
    package static func open(_ location: PostgresLocation, codec: StoredRecordCodec, chains: LogChains,
                             logger: Logger = Logger(label: "doorstep.postgres")) async throws -> PostgresSyncStore {
        // One plain connection first: an unreachable or refusing database is reported at once,
        // in PostgreSQL's words, rather than after the pool's minute of retries.
        do {
            try await PostgresConnection.connect(configuration: try location.probeConfiguration(), id: 0, logger: logger).close()
        } catch {
            throw SyncEngineError(.storage, "cannot open the server database (\(location)): \(Self.describe(error))")
        }
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: logger)
        // The pool serves leases only once `run()` is going: start it before the first one.
        let (started, signal) = AsyncStream<Void>.makeStream()
        let runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        let store = PostgresSyncStore(client: client, runner: runner, logger: logger, location: location, codec: codec, chains: chains)
        do {
            try await PostgresSchema.migrate(store)
        } catch {
            runner.cancel()
            throw SyncEngineError(.storage, "cannot open the server database (\(location)): \(Self.describe(error))")
        }
        return store
    }

    public func villages(coveredBy assignment: Assignment) async throws -> [VillageCode] {
        let ranges = StoredColumns.villageRanges(assignment)
        let known: [Int64] = ranges.isEmpty ? [] : try await readAlone("villages") { c in
            try await c.all(PostgresQuery("""
                SELECT DISTINCT v.village FROM villages v
                JOIN unnest(\(ranges.map(\.lowerBound))::bigint[], \(ranges.map(\.upperBound))::bigint[]) AS r(lo, hi)
                  ON v.village BETWEEN r.lo AND r.hi
                """), as: Int64.self)
        }
        let all = Set(known.map(StoredColumns.village)).union(assignment.villages)
        return all.filter(assignment.covers).sorted()
    }

    public func registerVillages(_ villages: [VillageCode]) async throws {
        guard !villages.isEmpty else { return }
        try await write("registerVillages") { c in
            try await c.run("INSERT INTO villages (village) SELECT unnest(\(villages.map(\.int64))::bigint[]) ON CONFLICT DO NOTHING")
        }
    }

    public func purgeMark() async throws -> PurgeMark {
        try await readAlone("purgeMark") { c in try await Meta.purgeMark(c) }
    }

    public func record(_ key: RecordKey) async throws -> RecordState? {
        let state = try await readAlone("record") { c in
            try await c.all("SELECT state FROM records WHERE id = \(key.id.buffer)", as: ByteBuffer.self).first.map(codec.state)
        }
        return state?.key.collection == key.collection ? state : nil
    }

    public func openConflicts(villages: [VillageCode]) async throws -> [RecordState] {
        try await readAlone("openConflicts") { c in
            try await c.all("SELECT state FROM records WHERE needs_review AND village = ANY(\(villages.map(\.int64))::bigint[]) ORDER BY seq",
                            as: ByteBuffer.self).map(codec.state)
        }
    }

    public func allocateServerCounters(_ n: Int) async throws -> ClosedRange<UInt64> {
        guard n >= 1 else { throw SyncEngineError(.invalidArgument, "cannot allocate \(n) server counters; ask for at least 1") }
        return try await write("allocateServerCounters") { c in
            let last = UInt64(bitPattern: try await Meta.add(.serverCounter, Int64(n), c))
            return (last - UInt64(n) + 1)...last
        }
    }

    public func recordCount(villages: [VillageCode]) async throws -> Int {
        try await readAlone("recordCount") { c in
            Int(try await c.one("""
                SELECT COALESCE(SUM(record_count), 0)::bigint FROM village_digests WHERE village = ANY(\(villages.map(\.int64))::bigint[])
                """, as: Int64.self))
        }
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }
}
