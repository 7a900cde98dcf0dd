import DataProtection
import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// The embedded storage backend: one SQLite file in WAL mode, `synchronous=FULL` (an
/// acknowledged push survives power loss), foreign keys on, migrated when opened.
///
///     let store = try SQLiteSyncStore(path: "/var/lib/doorstep/server.sqlite", keys: try KeyRingFile(path: "/etc/doorstep/data.keys").load())
///     let engine = SyncEngine(store: store, configuration: .init(serverReplica: replica))
///
/// A `Sendable` value owning a GRDB `DatabasePool`: writes are serialized by the pool's writer,
/// so a sequence number allocated in a push commits before any later one; reads run
/// concurrently on snapshots. Each operation is one transaction. Errors are `SyncEngineError`
/// (`storage`), never GRDB's.
///
/// Record states are sealed under the key ring (`StoredRecordCodec`), ID numbers indexed
/// blind, and the audit and security logs chained (`LogChains`): the file holds no ID number,
/// income or disability in plain.
///
/// Attachment bytes are files in `attachments` beside the database file, in the data directory
/// (`attachmentDirectory`, SPEC §15.5).
public struct SQLiteSyncStore: SyncStore {
    let pool: DatabasePool
    public let codec: StoredRecordCodec
    let chains: LogChains
    /// The attachments' bytes, in `attachments` beside the database file (SPEC §15.5).
    let attachmentFiles: AttachmentFiles
    let attachmentLocks = PerHashLock()
    let checkpointer: WALCheckpointer

    /// Opens (creating if needed) and migrates the database at `path`, sealing with `keys`;
    /// without keys, with the ring in `<path>.keys` (created on first open, mode 0600), which
    /// suits tests and trying the server, not production: keep the keys away from the data.
    /// - Parameter busyTimeout: how long a connection waits for another process's lock, in seconds.
    public init(path: String, keys: KeyRing? = nil, busyTimeout: Double = 10) throws {
        let ring: KeyRing
        if let keys { ring = keys } else {
            do { ring = try KeyRingFile(path: path + ".keys", createIfMissing: true).load() } catch {
                throw SyncEngineError(.storage, "cannot open the server database at \(path): \(error.message)")
            }
        }
        try self.init(path: path, codec: StoredRecordCodec(keys: ring), chains: LogChains(keys: ring), busyTimeout: busyTimeout)
    }

    /// A store sealing with `codec` (`StoredRecordCodec.unsealed` measures what sealing costs).
    package init(path: String, codec: StoredRecordCodec, chains: LogChains, busyTimeout: Double = 10) throws {
        self.codec = codec
        self.chains = chains
        attachmentFiles = AttachmentFiles(directory: Self.attachmentDirectory(besideDatabase: path))
        var config = Configuration()
        config.label = "doorstep-server"
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        // secure_delete: a page's old content is zeroed when freed or overwritten, so a state
        // re-sealed (or a row deleted) leaves no old bytes behind in the file.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA wal_autocheckpoint = \(WALCheckpointer.backstopPages)")
            // The writer keeps 64 MB of pages (SQLite's default is 2 MB): every push reads and
            // rewrites random record pages, which otherwise come back through `pread` each time.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try SQLiteSchema.migrator(codec: codec).migrate(pool)
            checkpointer = try WALCheckpointer(path: path, busyTimeout: busyTimeout)
        } catch {
            throw SyncEngineError(.storage, "cannot open the server database at \(path): \(error)")
        }
    }

    /// Runs a store operation, turning anything but a `SyncEngineError` into a `storage` one.
    func guarded<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SyncEngineError {
            throw error
        } catch let failure as PlanFailure {
            throw failure.error
        } catch {
            throw SyncEngineError(.storage, "\(operation) failed: \(error)")
        }
    }

    public func villages(coveredBy assignment: Assignment) async throws -> [VillageCode] {
        let ranges = StoredColumns.villageRanges(assignment).map { ($0.lowerBound, $0.upperBound) }
        let known: [Int64] = ranges.isEmpty ? [] : try await guarded("villages") {
            try await pool.read { db in
                var out: [Int64] = []
                for start in stride(from: 0, to: ranges.count, by: 200) {
                    let part = ranges[start..<min(start + 200, ranges.count)]
                    let sql = "SELECT village FROM villages WHERE " + part.map { _ in "village BETWEEN ? AND ?" }.joined(separator: " OR ")
                    out += try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(part.flatMap { [$0.0, $0.1] }))
                }
                return out
            }
        }
        let all = Set(known.map { VillageCode(uncheckedRawValue: UInt64($0)) }).union(assignment.villages)
        return all.filter(assignment.covers).sorted()
    }

    public func registerVillages(_ villages: [VillageCode]) async throws {
        try await guarded("registerVillages") {
            try await pool.write { db in
                for v in villages {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO villages (village) VALUES (?)").execute(arguments: [v.int64])
                }
            }
        }
    }

    public func purgeMark() async throws -> PurgeMark {
        try await guarded("purgeMark") { try await pool.read { db in try Meta.purgeMark(db) } }
    }

    public func record(_ key: RecordKey) async throws -> RecordState? {
        let state = try await guarded("record") {
            try await pool.read { db in
                try Data.fetchOne(db, sql: "SELECT state FROM records WHERE id = ?", arguments: [key.id.blob]).map(codec.state)
            }
        }
        return state?.key.collection == key.collection ? state : nil
    }

    public func openConflicts(villages: [VillageCode]) async throws -> [RecordState] {
        try await guarded("openConflicts") {
            try await pool.read { db in
                var found: [(Int64, RecordState)] = []
                try forEachChunk(villages.map(\.int64)) { chunk, marks in
                    let rows = try Row.fetchAll(db, sql: "SELECT seq, state FROM records WHERE needs_review = 1 AND village IN (\(marks))",
                                                arguments: StatementArguments(Array(chunk)))
                    for row in rows { found.append((row[0], try codec.state(row[1]))) }
                }
                return found.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
    }

    public func allocateServerCounters(_ n: Int) async throws -> ClosedRange<UInt64> {
        guard n >= 1 else { throw SyncEngineError(.invalidArgument, "cannot allocate \(n) server counters; ask for at least 1") }
        return try await guarded("allocateServerCounters") {
            try await pool.write { db in
                let last = try Meta.serverCounter.get(db)
                try Meta.serverCounter.set(db, last + UInt64(n))
                return (last + 1)...(last + UInt64(n))
            }
        }
    }

    public func recordCount(villages: [VillageCode]) async throws -> Int {
        try await guarded("recordCount") {
            try await pool.read { db in
                var total = 0
                try forEachChunk(villages.map(\.int64)) { chunk, marks in
                    total += try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(record_count), 0) FROM village_digests WHERE village IN (\(marks))",
                                              arguments: StatementArguments(Array(chunk))) ?? 0
                }
                return total
            }
        }
    }

    public func close() async throws {
        try await guarded("close") {
            try checkpointer.stop()
            try pool.close()
        }
    }
}
