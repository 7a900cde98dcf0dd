import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// How the store's values map to SQLite columns, and back (checking what it reads).
extension RecordID {
    var blob: Data { Data(bytes) }

    static func fromBlob(_ data: Data) throws -> RecordID {
        guard let id = RecordID(bytes: data) else { throw SyncEngineError(.storage, "a stored record id has \(data.count) bytes, not 16") }
        return id
    }
}

extension Digest128 {
    var blob: Data {
        Data((0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) })
    }

    static func fromBlob(_ data: Data) throws -> Digest128 {
        guard data.count == 16 else { throw SyncEngineError(.storage, "a stored digest has \(data.count) bytes, not 16") }
        let b = [UInt8](data)
        return Digest128(high: b[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, low: b[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }
}

extension ReplicaID {
    var int64: Int64 { Int64(bitPattern: rawValue) }
}

extension VillageCode {
    var int64: Int64 { Int64(rawValue) }
}

extension Dot {
    /// `replica:counter` in hexadecimal and decimal, as logs show dots.
    static func parse(_ text: Substring) throws -> Dot {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replica = ReplicaID(hex: String(parts[0])), let counter = UInt64(parts[1]) else {
            throw SyncEngineError(.storage, "a stored dot \"\(text.prefix(40))\" is unreadable")
        }
        return Dot(replica, counter)
    }

    static func parseList(_ text: String) throws -> [Dot] {
        try text.split(separator: ",").map(parse)
    }
}

enum StoredState {
    /// A record state as the `state` column holds it (with supersession contexts).
    static func blob(_ state: RecordState) -> Data { Data(state.encoded(includeSupersession: true)) }

    static func decode(_ data: Data) throws -> RecordState {
        do {
            return try RecordState(decoding: [UInt8](data), includesSupersession: true)
        } catch {
            throw SyncEngineError(.storage, "a stored record state is unreadable: \(error)")
        }
    }
}

/// The store's counters in `meta`.
enum Meta: String {
    case lastSequence = "last_seq"
    case purgedThrough = "purged_through"
    case purgeGeneration = "purge_generation"
    case serverCounter = "server_counter"

    func get(_ db: Database) throws -> UInt64 {
        let value = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [rawValue]) ?? 0
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
