import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// The audit log and the conflict log: appended by pushes, read by ops and tests.
extension SQLiteSyncStore {
    static func appendLogs(audit: [AuditEntry], conflicts: [ConflictLogEntry], _ db: Database) throws {
        for a in audit {
            try db.cachedStatement(sql: """
                INSERT INTO audit_log (at_ms, worker, device, replica, counter, collection, record, village, action, field, outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    a.atMilliseconds, a.worker.rawValue, a.deviceID, a.dot.replica.int64, Int64(bitPattern: a.dot.counter),
                    Int64(a.record.collection.rawValue), a.record.id.blob, a.record.scope.int64, a.action.name,
                    a.action.field.map { Int64($0.rawValue) }, a.outcome.rawValue,
                ])
        }
        for c in conflicts {
            try db.cachedStatement(sql: """
                INSERT INTO conflict_log (at_ms, collection, record, village, kind, field, dots, winner, cause)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    c.atMilliseconds, Int64(c.record.collection.rawValue), c.record.id.blob, c.record.scope.int64, c.kind.rawValue,
                    c.field.map { Int64($0.rawValue) }, c.dots.map(\.description).joined(separator: ","), c.winner?.description,
                    c.cause.description,
                ])
        }
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
        let raw: Int64 = row["collection"]
        guard let collection = RecordCollection(rawValue: UInt8(truncatingIfNeeded: raw)) else {
            throw SyncEngineError(.storage, "a log row names unknown collection \(raw)")
        }
        return RecordKey(collection, try RecordID.fromBlob(row["record"]), scope: VillageCode(uncheckedRawValue: UInt64(row["village"] as Int64)))
    }

    static func field(_ row: Row) -> FieldID? {
        (row["field"] as Int64?).map { FieldID(UInt16(truncatingIfNeeded: $0)) }
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        let name: String = row["action"], outcomeName: String = row["outcome"]
        guard let action = AuditEntry.Action(name: name, field: field(row)), let outcome = AuditEntry.Outcome(rawValue: outcomeName) else {
            throw SyncEngineError(.storage, "an audit row has unreadable action \"\(name.prefix(20))\" or outcome \"\(outcomeName.prefix(20))\"")
        }
        return AuditEntry(atMilliseconds: row["at_ms"], worker: WorkerID(unchecked: row["worker"]), deviceID: row["device"],
                          dot: Dot(ReplicaID(UInt64(bitPattern: row["replica"])), UInt64(bitPattern: row["counter"])),
                          record: try key(row), action: action, outcome: outcome)
    }

    static func conflictEntry(_ row: Row) throws -> ConflictLogEntry {
        let kindName: String = row["kind"]
        guard let kind = ConflictLogEntry.Kind(rawValue: kindName) else {
            throw SyncEngineError(.storage, "a conflict-log row has unknown kind \"\(kindName.prefix(20))\"")
        }
        let winner: String? = row["winner"]
        return ConflictLogEntry(atMilliseconds: row["at_ms"], record: try key(row), kind: kind, field: field(row),
                                dots: try Dot.parseList(row["dots"]), winner: try winner.map { try Dot.parse(Substring($0)) },
                                cause: try Dot.parse(Substring(row["cause"] as String)))
    }
}
