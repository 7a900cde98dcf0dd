import GRDB
import SyncProtocol

/// Acknowledged changes the device keeps until a backup of the server holds them (SPEC §4,
/// "Restores"), so that a server restored from an older backup loses nothing a device had sent.
///
/// Kept as the outbox held them (the sealed change, a few hundred bytes), with the server's
/// sequence once the exchange that acknowledged them was applied: a backup covering that
/// sequence covers them. A server answering without an epoch (version 1, or one that predates
/// backups) reports no backup, so nothing is kept for it.
enum RetainedChanges {
    static let epochKey = "server_epoch"

    /// Follows the response's epoch and backup position, before its acknowledgements are taken.
    /// When the server's epoch changed, it was restored: every kept change goes back into the
    /// outbox, pending, to be sent again in dot order before anything newer, and every handle is
    /// forgotten (the restored server may give its sequences again). Returns whether it changed.
    static func follow(_ db: Database, _ response: SyncResponse) throws -> Bool {
        guard response.serverEpoch != 0 else { return false }
        let known = UInt64(bitPattern: try Meta.int(db, epochKey))
        try Meta.setInt(db, epochKey, Int64(bitPattern: response.serverEpoch))
        guard known == 0 || known == response.serverEpoch else {
            try db.execute(sql: """
                INSERT OR REPLACE INTO outbox (counter, collection, record_id, village, change, created_ms, status)
                SELECT counter, collection, record_id, village, change, created_ms, ? FROM retained
                """, arguments: [OutboxStatus.pending.rawValue])
            try db.execute(sql: "DELETE FROM retained")
            try db.execute(sql: "UPDATE records SET handle = NULL")
            return true
        }
        if response.backedUpThrough > 0 {
            try db.execute(sql: "DELETE FROM retained WHERE applied_through <= ?", arguments: [Int64(bitPattern: response.backedUpThrough)])
        }
        return false
    }

    /// Keeps the changes `counters` acknowledges, still pending in the outbox, until a backup
    /// reaches `appliedThrough`. Call before the outbox marks them acknowledged.
    static func keep(_ db: Database, _ counters: [UInt64], _ response: SyncResponse) throws {
        guard response.serverEpoch != 0, !counters.isEmpty else { return }
        for counter in counters {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO retained (counter, collection, record_id, village, change, created_ms, applied_through)
                SELECT counter, collection, record_id, village, change, created_ms, ? FROM outbox WHERE counter = ? AND status = ?
                """).execute(arguments: [Int64(bitPattern: response.appliedThrough), Int64(bitPattern: counter), OutboxStatus.pending.rawValue])
        }
    }

    /// How many acknowledged changes the device keeps for a restore.
    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM retained") ?? 0
    }
}

extension Replica {
    /// How many acknowledged changes the device keeps until a backup of the server covers them.
    public func retainedCount() throws(ReplicaError) -> Int {
        try read { db in try RetainedChanges.count(db) }
    }
}
