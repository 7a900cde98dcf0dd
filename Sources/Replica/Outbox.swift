import FieldModel
import Foundation
import GRDB
import SyncCore

/// The outbox: local changes from the moment they are made until the server's state covers them.
///
/// A change leaves only when the server has acknowledged it by dot and a pulled state includes it;
/// a rejected change stays, with its reason, for the worker to see.
enum Outbox {
    static func insert(_ db: Database, _ codec: ReplicaCodec, _ change: Change, createdAt ms: Int64) throws {
        try db.execute(sql: """
            INSERT INTO outbox (counter, collection, record_id, village, change, created_ms, status)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Int64(bitPattern: change.dot.counter), Int64(change.record.collection.rawValue), Data(change.record.id.bytes),
                             Int64(change.record.scope.rawValue), codec.changeBlob(change), ms, OutboxStatus.pending.rawValue])
    }

    static func decode(_ row: Row, _ codec: ReplicaCodec) throws -> Change { try codec.change(row["change"]) }

    static func unrejectedChanges(_ db: Database, _ codec: ReplicaCodec, for key: RecordKey) throws -> [Change] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT change FROM outbox WHERE collection = ? AND record_id = ? AND status != ? ORDER BY counter"),
                         arguments: [Int64(key.collection.rawValue), Data(key.id.bytes), OutboxStatus.rejected.rawValue]).map { try decode($0, codec) }
    }

    /// Every record the outbox holds a change of, in any state.
    static func recordsWithChanges(_ db: Database) throws -> Set<OutboxRecord> {
        Set(try Row.fetchAll(db, sql: "SELECT DISTINCT collection, record_id FROM outbox").map { row in
            let collection: Int64 = row["collection"], id: Data = row["record_id"]
            return OutboxRecord(collection: collection, id: id)
        })
    }

    /// The oldest `limit` changes not yet acknowledged, in dot order.
    static func pending(_ db: Database, _ codec: ReplicaCodec, limit: Int) throws -> [Change] {
        try Row.fetchAll(db, sql: "SELECT change FROM outbox WHERE status = ? ORDER BY counter LIMIT ?",
                         arguments: [OutboxStatus.pending.rawValue, limit]).map { try decode($0, codec) }
    }

    /// Marks `counters` acknowledged; returns the keys of the records they touch.
    static func acknowledge(_ db: Database, _ codec: ReplicaCodec, _ counters: [UInt64], at ms: Int64) throws -> Set<RecordKey> {
        var keys = Set<RecordKey>()
        for c in counters {
            guard let row = try Row.fetchOne(db, sql: "SELECT change FROM outbox WHERE counter = ? AND status = ?",
                                             arguments: [Int64(bitPattern: c), OutboxStatus.pending.rawValue]) else { continue }
            keys.insert(try decode(row, codec).record)
            try db.execute(sql: "UPDATE outbox SET status = ?, acked_ms = ? WHERE counter = ?",
                           arguments: [OutboxStatus.acked.rawValue, ms, Int64(bitPattern: c)])
        }
        return keys
    }

    /// Marks a change rejected with the server's reason; returns its record's key.
    static func reject(_ db: Database, _ codec: ReplicaCodec, counter: UInt64, reason: String, message: String) throws -> RecordKey? {
        guard let row = try Row.fetchOne(db, sql: "SELECT change FROM outbox WHERE counter = ? AND status != ?",
                                         arguments: [Int64(bitPattern: counter), OutboxStatus.rejected.rawValue]) else { return nil }
        try db.execute(sql: "UPDATE outbox SET status = ?, reason = ?, message = ? WHERE counter = ?",
                       arguments: [OutboxStatus.rejected.rawValue, reason, message, Int64(bitPattern: counter)])
        return try decode(row, codec).record
    }

    /// Drops acknowledged changes of `key` that `confirmed` now includes.
    static func dropConfirmed(_ db: Database, _ codec: ReplicaCodec, _ key: RecordKey, confirmed: VersionVector) throws {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT counter, change FROM outbox WHERE collection = ? AND record_id = ? AND status = ?"),
                                    arguments: [Int64(key.collection.rawValue), Data(key.id.bytes), OutboxStatus.acked.rawValue])
        for row in rows where confirmed.covers(try decode(row, codec).dot) {
            let counter: Int64 = row["counter"]
            try db.execute(sql: "DELETE FROM outbox WHERE counter = ?", arguments: [counter])
        }
    }

    /// Drops every acknowledged change; returns the keys of their records. Called after the last
    /// page: by then every record an acknowledged change touched has been served (its position
    /// precedes the last page's), so one still unconfirmed is gone from the server — purged
    /// after a delete, or out of scope.
    static func dropAcknowledged(_ db: Database, _ codec: ReplicaCodec) throws -> Set<RecordKey> {
        let keys = Set(try Row.fetchAll(db, sql: "SELECT change FROM outbox WHERE status = ?",
                                        arguments: [OutboxStatus.acked.rawValue]).map { try decode($0, codec).record })
        try db.execute(sql: "DELETE FROM outbox WHERE status = ?", arguments: [OutboxStatus.acked.rawValue])
        return keys
    }

    /// Records with a change the server has not yet included, acknowledged or not.
    static func keysAwaitingConfirmation(_ db: Database, _ codec: ReplicaCodec, village: VillageCode) throws -> Set<RecordKey> {
        Set(try Row.fetchAll(db, sql: "SELECT change FROM outbox WHERE village = ? AND status != ?",
                             arguments: [Int64(village.rawValue), OutboxStatus.rejected.rawValue]).map { try decode($0, codec).record })
    }
}

/// A record as the outbox names it: collection and id (a moved record keeps both).
struct OutboxRecord: Hashable {
    let collection: Int64
    let id: Data

    init(collection: Int64, id: Data) {
        self.collection = collection
        self.id = id
    }

    init(_ key: RecordKey) { self.init(collection: Int64(key.collection.rawValue), id: Data(key.id.bytes)) }
}
