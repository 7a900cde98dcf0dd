import Foundation
import GRDB
import SyncCore

/// How long a device keeps what would otherwise only grow: its log of sync attempts, and the
/// rows of records deleted long ago.
public struct DeviceRetention: Sendable, Hashable {
    /// Sync attempts older than this are dropped; the last successful one is always kept.
    public var syncLogMilliseconds: Int64 = 90 * 86_400_000
    /// A confirmed deletion older than this loses its row, as the server purges its tombstone
    /// after its horizon. A row with a change not yet confirmed, or in conflict, is kept.
    public var tombstoneMilliseconds = TombstoneHorizon.defaultMilliseconds

    public init() {}
}

extension Replica {
    /// What one trim removed.
    public struct TrimReport: Sendable, Hashable {
        public var syncLog = 0
        public var tombstones = 0
    }

    /// Drops sync attempts and confirmed tombstones older than `retention` keeps, by the
    /// device's clock as corrected against the server's, in one transaction. `SyncClient`
    /// trims after every sync.
    /// - Complexity: O(deleted rows held), each decoded once.
    @discardableResult
    public func trim(_ retention: DeviceRetention) throws(ReplicaError) -> TrimReport {
        let wallClock = self.wallClock
        let codec = self.codec
        return try write { db in
            let now = wallClock() &+ (try Meta.int(db, "clock_offset"))
            var report = TrimReport()
            try db.execute(sql: """
                DELETE FROM sync_log WHERE finished_ms < ? AND id IS NOT (SELECT max(id) FROM sync_log WHERE result = 'ok')
                """, arguments: [now &- retention.syncLogMilliseconds])
            report.syncLog = db.changesCount
            let cutoff = now &- retention.tombstoneMilliseconds
            let rows = try Row.fetchAll(db, sql: """
                SELECT collection, id, view, confirmed FROM records r WHERE is_deleted = 1 AND needs_review = 0 AND confirmed IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.collection = r.collection AND o.record_id = r.id)
                """)
            for row in rows {
                let view = try RecordRows.view(row, codec)
                guard let deleted = view.tombstones.map(\.hlc.milliseconds).max(), deleted < cutoff else { continue }
                try RecordRows.delete(db, view.key)
                report.tombstones += 1
            }
            return report
        }
    }
}

extension Replica {
    /// The replica file's size as SQLite counts it (pages in use and free), bytes.
    public func storageBytes() throws(ReplicaError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0 }
    }
}
