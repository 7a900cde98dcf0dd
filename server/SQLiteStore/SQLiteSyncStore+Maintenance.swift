import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

extension SQLiteSyncStore {
    public func purgeTombstones(deletedBefore milliseconds: Int64) async throws -> Int {
        try await guarded("purgeTombstones") {
            try await pool.write { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*), MAX(seq) FROM records WHERE is_deleted = 1 AND deleted_at_ms < ?
                    """, arguments: [milliseconds])!
                let count: Int = row[0]
                guard count > 0 else { return 0 }
                try db.execute(sql: "DELETE FROM records WHERE is_deleted = 1 AND deleted_at_ms < ?", arguments: [milliseconds])
                let highest = UInt64(bitPattern: row[1] as Int64)
                try Meta.purgedThrough.set(db, max(try Meta.purgedThrough.get(db), highest))
                try Meta.purgeGeneration.set(db, try Meta.purgeGeneration.get(db) + 1)
                return count
            }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file (the crash tests ask it after every kill).
    public func integrityCheck() async throws -> String {
        try await guarded("integrityCheck") {
            try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        }
    }

    /// SipHash-2-4 chained over every table's rows in a fixed order (tables by name, rows by all
    /// columns), so equal content gives an equal hash whatever the physical layout. The logs of
    /// requests themselves (the security log, each device's sync history and status) are left
    /// out: a refused request appends to them by design, and changes nothing else.
    /// - Complexity: O(size of the database); for tests and ops checks, not for the request path.
    public func stateHash() async throws -> Digest128 {
        try await stateHash(leavingOut: [])
    }

    /// The state hash without `tables` as well: `["processed_dots", "replica_counters"]` leaves
    /// out what a rejected change records, so a test can show a rejection changed nothing else.
    public func stateHash(leavingOut tables: Set<String>) async throws -> Digest128 {
        let left = Self.requestLogTables.union(tables)
        return try await guarded("stateHash") {
            try await pool.read { db in
                var hasher = ChainedHasher()
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                for table in tables where !left.contains(table) {
                    hasher.add(text: table)
                    let columns = try Row.fetchAll(db, sql: "SELECT * FROM pragma_table_info(?)", arguments: [table]).count
                    let order = (1...max(1, columns)).map(String.init).joined(separator: ", ")
                    let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \"\(table)\" ORDER BY \(order)")
                    while let row = try rows.next() {
                        for value in row.databaseValues { hasher.add(value) }
                    }
                }
                return hasher.finish()
            }
        }
    }
}

extension SQLiteSyncStore {
    /// What a refused request appends to by design: left out of every state hash.
    static let requestLogTables: Set<String> = ["security_log", "sync_history", "sync_hours", "health_hours", "device_status", "creation_budget_refusals", "log_chains", "ops_sessions"]
}

/// Hashes a long stream in pieces: each piece is hashed with the previous piece's digest in front.
struct ChainedHasher {
    private var writer = BinaryWriter(capacity: 1 << 16)

    mutating func add(text: String) {
        writer.byte(0xFF)
        writer.string(text)
        flushIfLarge()
    }

    mutating func add(_ value: DatabaseValue) {
        switch value.storage {
        case .null: writer.byte(0)
        case .int64(let i): writer.byte(1); writer.signed(i)
        case .double(let d): writer.byte(2); writer.fixed64(d.bitPattern)
        case .string(let s): writer.byte(3); writer.string(s)
        case .blob(let b): writer.byte(4); writer.data([UInt8](b))
        }
        flushIfLarge()
    }

    private mutating func flushIfLarge() {
        if writer.bytes.count >= 1 << 16 { restart(from: StableHash.hash128(writer.bytes)) }
    }

    private mutating func restart(from digest: Digest128) {
        writer = BinaryWriter(capacity: 1 << 16)
        writer.fixed64(digest.high)
        writer.fixed64(digest.low)
    }

    func finish() -> Digest128 { StableHash.hash128(writer.bytes) }
}
