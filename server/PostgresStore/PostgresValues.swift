import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// Column values in PostgreSQL's types (`bytea` as `ByteBuffer`, integers as `bigint`); the
/// forms themselves are `StoredColumns`, shared with the SQLite store.
extension RecordID {
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

extension Digest128 {
    var buffer: ByteBuffer { ByteBuffer(bytes: StoredColumns.digestBytes(self)) }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}

extension StoredRecordCodec {
    func state(_ buffer: ByteBuffer) throws -> RecordState { try state(buffer.bytes) }
}

/// The store's counters, one row each in `meta`.
enum Meta: String {
    case lastSequence = "last_seq"
    case purgedThrough = "purged_through"
    case purgeGeneration = "purge_generation"
    case serverCounter = "server_counter"
    // Backups and restores (`RecoveryMark`); absent until the first backup or restore.
    case epoch = "epoch"
    case backedUpThrough = "backed_up_through"
    case backedUpAt = "backed_up_at_ms"

    func get(_ c: PostgresSession) async throws -> UInt64 {
        UInt64(bitPattern: try await c.one("SELECT value FROM meta WHERE key = \(rawValue)", as: Int64.self))
    }

    /// Adds `n` and returns the new value; the row stays locked until the transaction ends, so
    /// every other writer of this counter waits for this one's commit.
    static func add(_ counter: Meta, _ n: Int64, _ c: PostgresSession) async throws -> Int64 {
        try await c.one("UPDATE meta SET value = value + \(n) WHERE key = \(counter.rawValue) RETURNING value", as: Int64.self)
    }

    /// Every counter, read in the caller's snapshot.
    static func all(_ c: PostgresSession) async throws -> [Meta: UInt64] {
        var out: [Meta: UInt64] = [:]
        for row in try await c.rows("SELECT key, value FROM meta") {
            let (key, value) = try row.decode((String, Int64).self)
            if let meta = Meta(rawValue: key) { out[meta] = UInt64(bitPattern: value) }
        }
        return out
    }

    static func purgeMark(_ c: PostgresSession) async throws -> PurgeMark {
        let all = try await all(c)
        return PurgeMark(generation: all[.purgeGeneration] ?? 0, sequence: all[.purgedThrough] ?? 0)
    }
}

extension Array {
    /// The rows of as many `ValuesQuery` statements as `columns` binds per row need.
    func chunked(columns: Int) -> [ArraySlice<Element>] {
        let size = ValuesQuery.maxBinds / columns
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// A multi-row `VALUES` list, every value a bind: `head`, one parenthesised tuple per row, `tail`.
struct ValuesQuery {
    /// PostgreSQL takes at most 65,535 binds in one statement.
    static let maxBinds = 65_535

    private var sql: PostgresQuery.StringInterpolation
    private var rows = 0
    private var valuesInRow = 0

    init(_ head: String) {
        sql = PostgresQuery.StringInterpolation(literalCapacity: head.utf8.count, interpolationCount: 0)
        sql.appendLiteral(head)
    }

    /// Appends one row's tuple; `values` adds its values in column order (`add`).
    mutating func row(_ values: (inout ValuesQuery) -> Void) {
        sql.appendLiteral(rows == 0 ? "(" : ", (")
        rows += 1
        valuesInRow = 0
        values(&self)
        sql.appendLiteral(")")
    }

    mutating func add<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
        if valuesInRow > 0 { sql.appendLiteral(", ") }
        valuesInRow += 1
        sql.appendInterpolation(value)
    }

    func query(_ tail: String = "") -> PostgresQuery {
        var sql = sql
        sql.appendLiteral(tail)
        return PostgresQuery(stringInterpolation: sql)
    }
}
