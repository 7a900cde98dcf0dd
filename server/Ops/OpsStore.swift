import FieldModel

/// Where the server keeps what ops reads: each device's sync history and latest status, and
/// counts over the logs. Every method commits completely or changes nothing.
public protocol OpsStore: Sendable {
    /// Appends exchanges to their devices' histories and folds them into their statuses and
    /// their regions' hours, in one transaction, in order.
    func recordSyncs(_ records: [SyncRecord]) async throws
    /// The latest status of every device that ever synced.
    func deviceStatuses() async throws -> [DeviceStatus]
    /// A region's exchanges per hour (`SyncHour`) from `sinceMilliseconds` on, oldest first;
    /// hours without an exchange are absent.
    func syncTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [SyncHour]
    /// Writes regions' health snapshots (`HealthHour`), each replacing the one of its region
    /// and hour, in one transaction.
    func recordHealthHours(_ hours: [HealthHour]) async throws
    /// A region's health snapshots from `sinceMilliseconds` on, oldest first; hours without one
    /// are absent.
    func healthTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [HealthHour]
    /// Conflicts opened for a reviewer and resolved per day (midnight UTC+8) from
    /// `sinceMilliseconds` on, in the villages whose codes fall in `villages`; oldest first,
    /// days without any absent.
    func conflictDays(villages: Range<Int64>, sinceMilliseconds: Int64) async throws -> [ConflictDay]
    /// A device's latest `limit` exchanges, newest first.
    func syncHistory(device: String, limit: Int) async throws -> [SyncRecord]
    /// Applied changes by collection name, from the audit log.
    func appliedChanges() async throws -> [String: Int]
    /// Conflict-log entries by kind (`needs_review`, `resolved`, `auto_resolved`, `delete_conflict`).
    func conflictEvents() async throws -> [String: Int]
    /// The database's size on disk, bytes.
    func databaseBytes() async throws -> Int64
}
