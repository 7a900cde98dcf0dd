import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// Column values in SQLite's types; the forms themselves are `StoredColumns`, shared by every backend.
extension RecordID {
    var blob: Data { Data(bytes) }

    static func fromBlob(_ data: Data) throws -> RecordID { try StoredColumns.recordID([UInt8](data)) }
}

extension Digest128 {
    var blob: Data { Data(StoredColumns.digestBytes(self)) }

    static func fromBlob(_ data: Data) throws -> Digest128 { try StoredColumns.digest([UInt8](data)) }
}

extension StoredRecordCodec {
    /// A state as the `state` column's BLOB: sealed.
    func blob(_ state: RecordState) -> Data { Data(stateBytes(state)) }

    func state(_ data: Data) throws -> RecordState { try state([UInt8](data)) }
}

/// The store's counters in `meta`.
enum Meta: String {
    case lastSequence = "last_seq"
    case purgedThrough = "purged_through"
    case purgeGeneration = "purge_generation"
    case serverCounter = "server_counter"
    // Backups and restores (`RecoveryMark`); absent until the first backup or restore.
    case epoch = "epoch"
    case backedUpThrough = "backed_up_through"
    case backedUpAt = "backed_up_at_ms"

    func get(_ db: Database) throws -> UInt64 {
        let value = try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [rawValue]) ?? 0
        return UInt64(bitPattern: value)
    }

    /// Adds `n` to the counter in one statement and returns its new value.
    func add(_ db: Database, _ n: UInt64) throws -> UInt64 {
        let value = try Int64.fetchOne(db.cachedStatement(sql: """
            INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = value + ?2 RETURNING value
            """), arguments: [rawValue, Int64(bitPattern: n)]) ?? 0
        return UInt64(bitPattern: value)
    }

    /// The purge mark, read in the caller's transaction.
    static func purgeMark(_ db: Database) throws -> PurgeMark {
        PurgeMark(generation: try purgeGeneration.get(db), sequence: try purgedThrough.get(db))
    }

    func set(_ db: Database, _ value: UInt64) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [rawValue, Int64(bitPattern: value)])
    }
}

/// Runs `body` once per slice of at most 500 items with `?, ?, …` placeholders for it, so an
/// `IN (…)` list stays far below SQLite's variable limit.
func forEachChunk<T>(_ items: [T], _ body: (ArraySlice<T>, String) throws -> Void) rethrows {
    let size = 500
    for start in stride(from: 0, to: items.count, by: size) {
        let chunk = items[start..<min(start + size, items.count)]
        try body(chunk, Array(repeating: "?", count: chunk.count).joined(separator: ", "))
    }
}
