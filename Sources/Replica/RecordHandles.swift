import FieldModel
import Foundation
import GRDB
import SyncCore
import SyncProtocol

/// The server's handles of the records the replica holds (protocol version 2, SPEC §5): a page
/// gives each record's handle, kept beside its confirmed state, and a push names a record by it
/// instead of its 16-byte id.
///
/// A handle goes stale when the record changes on the server after the page that gave it; the
/// server then answers `unknown_handle`, without recording anything of the change, and the
/// replica forgets the handle so the next exchange sends the change again by id. No write is
/// lost and none is applied twice: the change keeps its dot and stays pending until answered.
enum RecordHandles {
    static let unknownReason = "unknown_handle"

    /// The handles held for `keys`, by record id (records without one are left out).
    static func of(_ db: Database, _ keys: Set<RecordKey>) throws -> [RecordID: UInt64] {
        var handles: [RecordID: UInt64] = [:]
        for key in keys {
            let raw = try Int64.fetchOne(db, sql: "SELECT handle FROM records WHERE collection = ? AND id = ? AND handle IS NOT NULL",
                                         arguments: [Int64(key.collection.rawValue), Data(key.id.bytes)])
            if let raw { handles[key.id] = UInt64(bitPattern: raw) }
        }
        return handles
    }

    /// Forgets the handles of the records the response's changes name: an acknowledged change
    /// moved its record to a new sequence (the page, applied after, gives the new handle), and a
    /// change refused as `unknown_handle` named a stale one (it stays pending). Returns how many
    /// changes will be sent again.
    static func forget(_ db: Database, after response: SyncResponse) throws -> Int {
        let unknown = response.rejections.filter { $0.reason == unknownReason }.map(\.counter)
        for counter in response.acked + unknown {
            try db.execute(sql: """
                UPDATE records SET handle = NULL
                WHERE (collection, id) IN (SELECT collection, record_id FROM outbox WHERE counter = ?)
                """, arguments: [Int64(bitPattern: counter)])
        }
        return unknown.count
    }
}

extension Replica {
    /// Forgets the handles of `keys`: a batch whose answer was lost may have been applied and
    /// moved its records to new sequence numbers, so its resend names them by id (else each
    /// would come back `unknown_handle`, costing an exchange).
    public func forgetHandles(of keys: [RecordKey]) throws(ReplicaError) {
        try write { db in
            for key in Set(keys) {
                try db.execute(sql: "UPDATE records SET handle = NULL WHERE collection = ? AND id = ?",
                               arguments: [Int64(key.collection.rawValue), Data(key.id.bytes)])
            }
        }
    }
}
