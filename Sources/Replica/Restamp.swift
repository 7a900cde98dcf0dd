import FieldModel
import Foundation
import GRDB
import SyncCore
import SyncProtocol

/// Re-stamping what the server refused as stamped in the future (`clock_ahead`, SPEC §6).
///
/// A phone whose clock jumped ahead after its last sync stamps its writes ahead, and its hybrid
/// clock stays ahead (it never goes back), so without this every write it made for as long as
/// the jump would be refused. When a response refuses changes as `clock_ahead`, the clock has
/// just been corrected by the server's time: the clock forgets the bad readings, and every
/// refused change, with every pending change after it (never sent yet, and stamped as badly),
/// is written again under a new dot and a new reading, in the same order. A context that
/// covered a re-stamped change of the same record covers its new dot instead, so the worker's
/// sequence of writes stays a sequence and never turns into a conflict with itself.
enum Restamp {
    static let reason = "clock_ahead"

    /// Returns the keys of the records whose changes were re-stamped, and how many changes.
    static func clockAhead(_ db: Database, _ codec: ReplicaCodec, rejections: [Rejection], clock: inout HybridLogicalClock,
                           replica: ReplicaID) throws -> (keys: Set<RecordKey>, count: Int) {
        guard rejections.contains(where: { $0.reason == reason }) else { return ([], 0) }
        let refused = try Row.fetchAll(db, sql: "SELECT counter FROM outbox WHERE status = ? AND reason = ?",
                                       arguments: [OutboxStatus.rejected.rawValue, reason]).map { $0["counter"] as Int64 }
        guard let first = refused.min() else { return ([], 0) }
        let rows = try Row.fetchAll(db, sql: """
            SELECT counter, change, created_ms FROM outbox
            WHERE (status = ? AND reason = ?) OR (status = ? AND counter > ?) ORDER BY counter
            """, arguments: [OutboxStatus.rejected.rawValue, reason, OutboxStatus.pending.rawValue, first])
        clock.forgetReadingsAhead()
        var counter = UInt64(bitPattern: try Meta.int(db, "counter"))
        // Per record: the old counters re-stamped so far and their new ones, ascending.
        var renumbered: [RecordKey: [(old: UInt64, new: UInt64)]] = [:]
        for row in rows {
            let old = try Outbox.decode(row, codec)
            counter += 1
            var context = old.context
            if let covered = renumbered[old.record]?.last(where: { $0.old <= old.context[replica] }) {
                context.add(Dot(replica, covered.new))
            }
            let change = Change(dot: Dot(replica, counter), record: old.record, operation: old.operation, context: context,
                                hlc: clock.now(), author: old.author, schemaVersion: old.schemaVersion)
            renumbered[old.record, default: []].append((old.dot.counter, counter))
            try db.execute(sql: "DELETE FROM outbox WHERE counter = ?", arguments: [row["counter"] as Int64])
            try Outbox.insert(db, codec, change, createdAt: row["created_ms"])
        }
        try Meta.setInt(db, "counter", Int64(bitPattern: counter))
        return (Set(renumbered.keys), rows.count)
    }
}
