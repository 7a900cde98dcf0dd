import CSQLiteSession
import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// The second wire baseline: a SQLite session patchset of the same changes, made by SQLite's own
/// session extension on an in-memory database with one table per collection and one column per
/// field. A patchset holds, per changed row, the primary key and the new values of the changed
/// columns only (no old values, no clocks, no authors): what SQLite itself would ship.
final class SessionPatchset {
    private var db: OpaquePointer?

    init() throws {
        guard sqlite3_open(":memory:", &db) == SQLITE_OK else { throw BenchError("sqlite3_open(:memory:) failed") }
        for collection in RecordCollection.allCases {
            let columns = collection.schema.fields.map { "\"\($0.name)\"" }.joined(separator: ", ")
            try execute("CREATE TABLE \"\(collection.name)\" (id BLOB PRIMARY KEY, \(columns))")
        }
    }

    deinit { sqlite3_close(db) }

    /// The deflated patchset of `changes` applied to a database that already holds `before`.
    static func deflatedBytes(of changes: [Change], over before: [RecordState]) throws -> Int {
        let database = try SessionPatchset()
        for state in before { try database.insert(state.key, state.values) }
        return try database.recording { db in
            for change in changes { try db.apply(change) }
        }
    }

    /// The deflated patchset of inserting `states` into an empty database (a bootstrap).
    static func deflatedBytes(inserting states: [RecordState]) throws -> Int {
        try SessionPatchset().recording { db in
            for state in states { try db.insert(state.key, state.values) }
        }
    }

    /// Runs `body` under a session on every table; returns the deflated patchset's size.
    private func recording(_ body: (SessionPatchset) throws -> Void) throws -> Int {
        var session: OpaquePointer?
        guard sqlite3session_create(db, "main", &session) == SQLITE_OK, let session else { throw BenchError("sqlite3session_create failed") }
        defer { sqlite3session_delete(session) }
        guard sqlite3session_attach(session, nil) == SQLITE_OK else { throw BenchError("sqlite3session_attach failed") }
        try execute("BEGIN")
        try body(self)
        try execute("COMMIT")
        var size: Int32 = 0
        var buffer: UnsafeMutableRawPointer?
        let rc = sqlite3session_patchset(session, &size, &buffer)
        guard rc == SQLITE_OK, let buffer else { throw BenchError("sqlite3session_patchset failed: \(rc)") }
        defer { sqlite3_free(buffer) }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: buffer, count: Int(size)))
        return Deflate.compress(bytes).count
    }

    private func apply(_ change: Change) throws {
        let table = "\"\(change.record.collection.name)\""
        switch change.operation {
        case .create(let values):
            try insert(change.record, values)
        case .set(let field, let value), .transition(let field, _, let value):
            let name = change.record.collection.schema.field(field)!.name
            try run("UPDATE \(table) SET \"\(name)\" = ? WHERE id = ?", [value, .id(change.record.id)])
        case .delete:
            try run("DELETE FROM \(table) WHERE id = ?", [.id(change.record.id)])
        }
    }

    private func insert(_ key: RecordKey, _ values: FieldValues) throws {
        let fields = values.sorted { $0.key < $1.key }
        let names = fields.map { "\"\(key.collection.schema.field($0.key)!.name)\"" }
        let marks = Array(repeating: "?", count: fields.count + 1).joined(separator: ", ")
        try run("INSERT INTO \"\(key.collection.name)\" (id\(names.isEmpty ? "" : ", " + names.joined(separator: ", "))) VALUES (\(marks))",
                [.id(key.id)] + fields.map(\.value))
    }

    private func run(_ sql: String, _ arguments: [FieldValue]) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw BenchError("prepare failed: \(message) in \(sql)") }
        defer { sqlite3_finalize(statement) }
        for (i, value) in arguments.enumerated() { bind(statement, Int32(i + 1), value) }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError("step failed: \(message) in \(sql)") }
    }

    /// Values as SQLite stores them natively: dates as day numbers, ids as their 16 bytes.
    private func bind(_ statement: OpaquePointer?, _ index: Int32, _ value: FieldValue) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .bool(let b): sqlite3_bind_int64(statement, index, b ? 1 : 0)
        case .int(let i): sqlite3_bind_int64(statement, index, i)
        case .text(let t): sqlite3_bind_text(statement, index, t, -1, Self.transient)
        case .date(let d): sqlite3_bind_int64(statement, index, Int64(d.daysSinceEpoch))
        case .id(let id): bindBlob(statement, index, id.bytes)
        case .ids(let ids): bindBlob(statement, index, ids.flatMap(\.bytes))
        }
    }

    private func bindBlob(_ statement: OpaquePointer?, _ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    private func execute(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError("\(sql): \(message)") }
    }

    private var message: String { String(cString: sqlite3_errmsg(db)) }

    /// SQLite copies the bound bytes.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
