import DataProtection
import FieldModel
import Foundation
import GRDB
import Synchronization
import SyncCore

/// The device's replica: a SQLite file holding the worker's records, their change outbox, the
/// pull position and the last sync results.
///
/// Every local write commits the record's new state and its change in one transaction with
/// `synchronous=FULL`: what the worker saw as saved survives a power cut. One connection per
/// file; it never leaves this type.
///
/// Record states and outbox changes are sealed under a key ring kept in `keys`
/// (`ReplicaCodec`): the file alone gives away no ID number, income or disability, and a remote
/// wipe (`wipe()`) that removes the keys leaves nothing readable even before the file is gone.
public final class Replica: Sendable {
    let queue: DatabaseQueue
    public let path: String
    public let identity: DeviceIdentity
    let wallClock: @Sendable () -> Int64
    /// Where the replica's key ring lives (and, on a device, its token): a wipe empties it.
    public let keys: any KeyStore
    let codec: ReplicaCodec
    /// Why the replica may no longer be used (closed, wiped): every later call fails with it
    /// rather than reach a closed connection.
    private let ended = Mutex<String?>(nil)
    /// Where a test acts inside a local write (after its checks, before its commit).
    let hooks = LocalWriteHooks()

    /// Opens the replica at `path`, creating it for `identity` if it does not exist yet, sealed
    /// under the key ring in `keys` (created there on first use; by default a 0600 file store
    /// beside the replica, `<path>.keys/` — on a phone, pass the keychain's).
    ///
    /// An existing file must belong to the same replica id; its stored identity is kept (the
    /// worker's assignment may have been refreshed since enrolment). `busyTimeout`: seconds a write waits for another connection's lock before it fails.
    public convenience init(path: String, identity: DeviceIdentity, keys: (any KeyStore)? = nil, busyTimeout: TimeInterval = 10,
                            wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        try self.init(path: path, expected: identity, keys: keys ?? FileKeyStore.beside(path), sealing: true, busyTimeout: busyTimeout,
                      wallClock: wallClock)
    }

    /// A replica whose rows are not sealed: only for measuring what sealing costs (`doorstep-bench`).
    package convenience init(unsealedAt path: String, identity: DeviceIdentity, wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        try self.init(path: path, expected: identity, keys: FileKeyStore.beside(path), sealing: false, wallClock: wallClock)
    }

    /// Opens (or, given an identity, creates) the replica; without one the file must hold one.
    private init(path: String, expected identity: DeviceIdentity?, keys: any KeyStore, sealing: Bool, busyTimeout: TimeInterval = 10,
                 wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        self.path = path
        self.wallClock = wallClock
        self.keys = keys
        do {
            codec = ReplicaCodec(sealer: sealing ? Sealer(ring: try keys.keyRing(ReplicaCodec.keyItem)) : nil)
        } catch {
            throw ReplicaError(.storage, "cannot read the keys of replica \(path): \(error.message)")
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A page's multi-row upserts need a statement journal: kept in memory (a few hundred
            // KB at most) instead of a temporary file written and deleted per statement.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // A bootstrap writes its pages' index pages again and again: checkpointing every
            // 32 MB of WAL instead of SQLite's 4 MB copies each into the file (and syncs it)
            // fewer times. Once checkpointed, the WAL file is cut back to 4 MB.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try ReplicaSchema.migrator.migrate(queue)
            let stored: DeviceIdentity = try queue.write { db in
                if let existing = try Meta.identity(db) {
                    if let identity, existing.replica != identity.replica {
                        throw ReplicaError(.incompatible, "\(path) belongs to replica \(existing.replica), not \(identity.replica)")
                    }
                    return existing
                }
                guard let identity else { throw ReplicaError(.incompatible, "\(path) holds no enrolled replica") }
                try Meta.setIdentity(db, identity)
                return identity
            }
            self.queue = queue
            self.identity = stored
        } catch let e as ReplicaError {
            throw e
        } catch {
            throw ReplicaError(.storage, "cannot open replica \(path): \(error)")
        }
        // Best effort: a leftover file costs space, not correctness, and must not keep the
        // replica from opening.
        try? removeUnqueuedEvidence()
    }

    /// Opens the enrolled replica at `path` with the identity stored in it, its key ring in
    /// `keys` (by default `<path>.keys/`).
    public convenience init(existingAt path: String, keys: (any KeyStore)? = nil, wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplicaError(.notFound, "no replica at \(path)") }
        try self.init(path: path, expected: nil, keys: keys ?? FileKeyStore.beside(path), sealing: true, wallClock: wallClock)
    }

    /// Learns how far the device clock is from the server's, as the server answered at
    /// `serverMilliseconds` (enrolment does this before the first write, so a phone set a year
    /// wrong stamps and dates even its first records as the server would).
    public func correctClock(serverMilliseconds: Int64) throws(ReplicaError) {
        let wallClock = self.wallClock
        try write { db in
            var clock = try Meta.clock(db, wallClock: wallClock)
            clock.correct(serverMilliseconds: serverMilliseconds)
            try Meta.saveClock(db, clock)
        }
    }

    /// Server time minus device time as last measured (at enrolment or a sync), milliseconds:
    /// how wrong the phone's clock is.
    public func clockOffsetMilliseconds() throws(ReplicaError) -> Int64 {
        try read { db in try Meta.int(db, "clock_offset") }
    }

    /// Runs `body` in one write transaction, mapping storage failures to `ReplicaError`.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(ReplicaError) -> T {
        try checkOpen()
        do { return try queue.write(body) } catch let e as ReplicaError { throw e } catch {
            throw ReplicaError(.storage, "write to \(path) failed: \(error)")
        }
    }

    /// Runs `body` in one write transaction and then, once it committed and before another write
    /// begins, `afterCommit` with its result: for a file that may go only once no row names it.
    /// A crash between the two leaves a file no row names (removed at the next open), never a
    /// row whose file is gone.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T, afterCommit: @Sendable (T) throws -> Void) throws(ReplicaError) -> T {
        try holdingWriter { db in
            let result = try Self.committed(db, body)
            try afterCommit(result)
            return result
        }
    }

    /// Runs `body` in one write transaction that holds only what the server can give again (a
    /// pulled page, the answers to a push): committed without waiting for the disk (WAL at
    /// `synchronous=NORMAL`). A power cut may lose the transaction whole, never part of it; the
    /// next sync pulls the page again and the server answers a re-sent change as it did. The next
    /// local write's `FULL` commit makes it durable with itself. A transaction that hands out
    /// counters (a re-stamp) must not use this: a counter sent and then lost could be handed out
    /// again. `fromServer: false` is `write`.
    func write<T: Sendable>(fromServer: Bool, _ body: @Sendable (Database) throws -> T) throws(ReplicaError) -> T {
        guard fromServer else { return try write(body) }
        return try holdingWriter { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
            return try Self.committed(db, body)
        }
    }

    /// Runs `work` on the writer outside a transaction (it begins its own), mapping storage
    /// failures to `ReplicaError`.
    private func holdingWriter<T: Sendable>(_ work: @Sendable (Database) throws -> T) throws(ReplicaError) -> T {
        try checkOpen()
        do { return try queue.writeWithoutTransaction(work) } catch let e as ReplicaError { throw e } catch {
            throw ReplicaError(.storage, "write to \(path) failed: \(error)")
        }
    }

    /// `body` in one transaction of `db`, committed.
    private static func committed<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction {
            result = try body(db)
            return .commit
        }
        return result!
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(ReplicaError) -> T {
        try checkOpen()
        do { return try queue.read(body) } catch let e as ReplicaError { throw e } catch {
            throw ReplicaError(.storage, "read of \(path) failed: \(error)")
        }
    }

    /// The worker's identity as currently stored (the assignment follows the server's scope).
    public func currentIdentity() throws(ReplicaError) -> DeviceIdentity {
        try read { db in try Meta.identity(db) ?? self.identity }
    }

    /// Closes the file. Any later call fails with `.storage`.
    public func close() throws(ReplicaError) {
        ended.withLock { $0 = $0 ?? "replica \(path) was closed" }
        do { try queue.close() } catch { throw ReplicaError(.storage, "closing \(path) failed: \(error)") }
    }

    func checkOpen() throws(ReplicaError) {
        if let reason = ended.withLock({ $0 }) { throw ReplicaError(.storage, reason) }
    }

    /// A remote wipe (SPEC §11.7): empties the key store first (the replica's key ring, and the
    /// token an app keeps there: what the file still holds is unreadable from that instant),
    /// deletes the evidence files (`<path>.evidence/`), then every table, then deletes the file
    /// with its WAL and shared memory. Any later call fails with `.storage`; a call already
    /// running finishes on the emptied file.
    public func wipe() throws(ReplicaError) {
        ended.withLock { $0 = "replica \(path) was wiped at the server's instruction" }
        do { try keys.removeAll() } catch { throw ReplicaError(.storage, "cannot delete the keys of \(path): \(error.message)") }
        // The evidence files are not sealed: they go next, before the slower emptying of the file.
        try evidenceFiles.removeAll()
        do {
            try queue.write { db in
                for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                    try db.execute(sql: "DELETE FROM \"\(table)\"")
                }
            }
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            throw ReplicaError(.storage, "cannot empty \(path): \(error)")
        }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] where FileManager.default.fileExists(atPath: file) {
            do { try FileManager.default.removeItem(atPath: file) } catch { throw ReplicaError(.storage, "cannot delete \(file): \(error)") }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws(ReplicaError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}

/// The replica's single-row settings: identity, dot counter, clock.
enum Meta {
    static func get(_ db: Database, _ key: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    static func set(_ db: Database, _ key: String, _ value: Data) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key, value])
    }

    static func int(_ db: Database, _ key: String) throws -> Int64 {
        guard let d = try get(db, key), let s = String(data: d, encoding: .utf8), let v = Int64(s) else { return 0 }
        return v
    }

    static func setInt(_ db: Database, _ key: String, _ value: Int64) throws {
        try set(db, key, Data(String(value).utf8))
    }

    static func identity(_ db: Database) throws -> DeviceIdentity? {
        guard let d = try get(db, "identity") else { return nil }
        return try JSONDecoder().decode(DeviceIdentity.self, from: d)
    }

    static func setIdentity(_ db: Database, _ identity: DeviceIdentity) throws {
        try set(db, "identity", try JSONEncoder().encode(identity))
    }

    /// The hybrid clock as stored, reading the injected wall clock.
    static func clock(_ db: Database, wallClock: @escaping @Sendable () -> Int64) throws -> HybridLogicalClock {
        var clock = HybridLogicalClock(last: HLCTimestamp(rawValue: UInt64(bitPattern: try int(db, "hlc"))), wallClock: wallClock)
        clock.offset = try int(db, "clock_offset")
        return clock
    }

    static func saveClock(_ db: Database, _ clock: HybridLogicalClock) throws {
        try setInt(db, "hlc", Int64(bitPattern: clock.last.rawValue))
        try setInt(db, "clock_offset", clock.offset)
    }
}
