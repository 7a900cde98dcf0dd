import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// The audit log and the conflict log: appended by pushes, read by ops and tests.
extension SQLiteSyncStore {
    static func appendLogs(audit: [AuditEntry], conflicts: [ConflictLogEntry], _ db: Database) throws {
        try MultiRowInsert.auditLog.run(db, audit.map { a in
            [a.atMilliseconds, a.worker.rawValue, a.deviceID, a.dot.replica.int64, Int64(bitPattern: a.dot.counter),
             Int64(a.record.collection.rawValue), a.record.id.blob, a.record.scope.int64, a.action.name,
             a.action.field.map { Int64($0.rawValue) }, a.outcome.rawValue]
        })
        try MultiRowInsert.conflictLog.run(db, conflicts.map { c in
            [c.atMilliseconds, Int64(c.record.collection.rawValue), c.record.id.blob, c.record.scope.int64, c.kind.rawValue,
             c.field.map { Int64($0.rawValue) }, StoredColumns.dotsText(c.dots), c.winner?.description, c.cause.description]
        })
    }

    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await guarded("auditEntries") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?) ORDER BY id
                    """, arguments: [max(0, limit)]).map(Self.auditEntry)
            }
        }
    }

    public func auditEntries(replica: ReplicaID, limit: Int) async throws -> [AuditEntry] {
        try await guarded("auditEntries(replica:)") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE replica = ? ORDER BY id LIMIT ?",
                                 arguments: [replica.int64, max(0, limit)]).map(Self.auditEntry)
            }
        }
    }

    public func conflictLog(limit: Int) async throws -> [ConflictLogEntry] {
        try await guarded("conflictLog") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM (SELECT * FROM conflict_log ORDER BY id DESC LIMIT ?) ORDER BY id
                    """, arguments: [max(0, limit)]).map(Self.conflictEntry)
            }
        }
    }

    static func key(_ row: Row) throws -> RecordKey {
        try StoredColumns.key(collection: row["collection"], record: [UInt8](row["record"] as Data), village: row["village"])
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        try StoredColumns.auditEntry(atMilliseconds: row["at_ms"], worker: row["worker"], device: row["device"], replica: row["replica"],
                                     counter: row["counter"], key: try key(row), action: row["action"], field: row["field"],
                                     outcome: row["outcome"])
    }

    static func conflictEntry(_ row: Row) throws -> ConflictLogEntry {
        try StoredColumns.conflictEntry(atMilliseconds: row["at_ms"], key: try key(row), kind: row["kind"], field: row["field"],
                                        dots: row["dots"], winner: row["winner"], cause: row["cause"])
    }
}
