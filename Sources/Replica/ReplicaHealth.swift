import FieldModel
import Foundation
import GRDB
import SyncCore
import SyncProtocol

/// The outbox as the worker and ops see it.
public struct OutboxSummary: Sendable, Hashable {
    /// Changes the server has not acknowledged.
    public var pending: Int
    /// When the oldest of them was made (ms), nil when none.
    public var oldestPendingMilliseconds: Int64?
    /// Acknowledged changes whose record has not come back in a pull yet.
    public var acknowledgedAwaitingPull: Int
    /// Changes the server refused, with its reasons.
    public var rejected: [RejectedChange]
}

/// The evidence waiting for upload, as health reports and ops see it.
public struct EvidenceSummary: Sendable, Hashable {
    /// Files queued (one per attachment: the same bytes attached twice count twice).
    public var waiting: Int
    /// Their byte counts added up.
    public var bytes: Int64
    /// When the oldest was recorded (ms), nil when none waits.
    public var oldestCreatedMilliseconds: Int64?
    /// Those the uploader gave up on.
    public var failed: Int
}

public struct RejectedChange: Sendable, Hashable {
    public let change: Change
    public let reason: String
    public let message: String
}

enum ReplicaHealth {
    static func figures(_ db: Database) throws -> DeviceHealth {
        let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 0") ?? 0
        let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(created_ms) FROM outbox WHERE status = 0")
        let records = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0
        let rejected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 2") ?? 0
        let evidence = try EvidenceQueue.summary(db)
        return DeviceHealth(outboxCount: pending, oldestUnsyncedMilliseconds: oldest, localRecords: records,
                            freeStorageBytes: nil, rejectedCount: rejected, evidenceWaiting: evidence.waiting,
                            evidenceWaitingBytes: evidence.bytes, oldestEvidenceMilliseconds: evidence.oldestCreatedMilliseconds)
    }
}

extension Replica {
    public func outboxSummary() throws(ReplicaError) -> OutboxSummary {
        try read { db in
            let health = try ReplicaHealth.figures(db)
            let acked = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 1") ?? 0
            let rejected = try Row.fetchAll(db, sql: "SELECT change, reason, message FROM outbox WHERE status = 2 ORDER BY counter").map { row in
                RejectedChange(change: try Outbox.decode(row, self.codec), reason: row["reason"] ?? "", message: row["message"] ?? "")
            }
            return OutboxSummary(pending: health.outboxCount, oldestPendingMilliseconds: health.oldestUnsyncedMilliseconds,
                                 acknowledgedAwaitingPull: acked, rejected: rejected)
        }
    }

    /// Files waiting for upload: how many, how large, since when.
    public func evidenceSummary() throws(ReplicaError) -> EvidenceSummary {
        try read { db in try EvidenceQueue.summary(db) }
    }

    /// Every change made on this device that is still in the outbox, in dot order.
    public func outboxChanges() throws(ReplicaError) -> [Change] {
        try read { db in try Row.fetchAll(db, sql: "SELECT change FROM outbox ORDER BY counter").map { try Outbox.decode($0, self.codec) } }
    }

    /// The changes not yet acknowledged by the server, in dot order.
    public func pendingChanges() throws(ReplicaError) -> [Change] {
        try read { db in try Outbox.pending(db, self.codec, limit: Int.max) }
    }

    /// The dot counter of the last local write.
    public func lastCounter() throws(ReplicaError) -> UInt64 {
        try read { db in UInt64(bitPattern: try Meta.int(db, "counter")) }
    }
}
