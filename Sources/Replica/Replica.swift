import FieldModel
import Foundation
import GRDB
import SyncCore

/// The device's replica: a SQLite file holding the worker's records, their change outbox, the
/// pull position and the last sync results.
///
/// Every local write commits the record's new state and its change in one transaction with
/// `synchronous=FULL`: what the worker saw as saved survives a power cut. One connection per
/// file; it never leaves this type.
public final class Replica: Sendable {
    let queue: DatabaseQueue
    public let path: String
    public let identity: DeviceIdentity
    let wallClock: @Sendable () -> Int64
    /// Where a test acts inside a local write (after its checks, before its commit).
    let hooks = LocalWriteHooks()

    /// Opens the replica at `path`, creating it for `identity` if it does not exist yet.
    ///
    /// An existing file must belong to the same replica id; its stored identity is kept (the
    /// worker's assignment may have been refreshed since enrolment).
    /// `busyTimeout`: seconds a write waits for another connection's lock before it fails.
    public convenience init(path: String, identity: DeviceIdentity, busyTimeout: TimeInterval = 10,
                            wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        try self.init(path: path, expected: identity, busyTimeout: busyTimeout, wallClock: wallClock)
    }

    /// Opens (or, given an identity, creates) the replica; without one the file must hold one.
    private init(path: String, expected identity: DeviceIdentity?, busyTimeout: TimeInterval = 10,
                 wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        self.path = path
        self.wallClock = wallClock
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
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
    }

    /// Opens the enrolled replica at `path` with the identity stored in it.
    public convenience init(existingAt path: String, wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) {
        guard FileManager.default.fileExists(atPath: path) else { throw ReplicaError(.notFound, "no replica at \(path)") }
        try self.init(path: path, expected: nil, wallClock: wallClock)
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
        do { return try queue.write(body) } catch let e as ReplicaError { throw e } catch {
            throw ReplicaError(.storage, "write to \(path) failed: \(error)")
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
        do {
            return try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let e as ReplicaError { throw e } catch {
            throw ReplicaError(.storage, "write to \(path) failed: \(error)")
        }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(ReplicaError) -> T {
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
        do { try queue.close() } catch { throw ReplicaError(.storage, "closing \(path) failed: \(error)") }
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
