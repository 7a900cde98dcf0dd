import FieldModel
import Foundation
import GRDB
import ServerEngine
import ServerOps

/// Device sync history and status in the same file as the records.
extension SQLiteSyncStore: OpsStore {
    public func recordSyncs(_ records: [SyncRecord]) async throws {
        guard !records.isEmpty else { return }
        let healths = try records.map { r in try r.health.map { try $0.storedJSON } }
        try await guarded("recordSyncs") {
            try await pool.write { db in
                for (r, health) in zip(records, healths) { try Self.recordSync(r, health: health, db) }
            }
        }
    }

    static func recordSync(_ r: SyncRecord, health: String?, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO sync_history (device, worker, at_ms, duration_ms, pushed, rejected, pulled, bytes_in, bytes_out, result, reason, health, over_budget)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [r.deviceID, r.worker.rawValue, r.atMilliseconds, r.durationMilliseconds, r.pushed, r.rejected, r.pulled,
                                     r.bytesIn, r.bytesOut, r.result, r.reason, health, r.overBudget])
        // The status keeps the last success and the last failure apart; health only when sent.
        try db.cachedStatement(sql: """
            INSERT INTO device_status (device, worker, last_sync_ms, last_success_ms, last_failure_ms, last_failure, last_duration_ms, health, over_budget)
            VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN ?3 END, CASE WHEN ?4 THEN NULL ELSE ?3 END, CASE WHEN ?4 THEN NULL ELSE ?5 END, ?6, ?7, ?8)
            ON CONFLICT(device) DO UPDATE SET
                worker = excluded.worker,
                last_sync_ms = MAX(last_sync_ms, excluded.last_sync_ms),
                last_success_ms = COALESCE(MAX(last_success_ms, excluded.last_success_ms), last_success_ms, excluded.last_success_ms),
                last_failure_ms = COALESCE(MAX(last_failure_ms, excluded.last_failure_ms), last_failure_ms, excluded.last_failure_ms),
                last_failure = CASE WHEN excluded.last_failure_ms IS NOT NULL THEN excluded.last_failure ELSE last_failure END,
                last_duration_ms = excluded.last_duration_ms,
                health = COALESCE(excluded.health, health),
                over_budget = excluded.over_budget
            """).execute(arguments: [r.deviceID, r.worker.rawValue, r.atMilliseconds, r.succeeded,
                                     r.failureText, r.durationMilliseconds, health, r.overBudget])
        let hour = try db.cachedStatement(sql: """
            INSERT INTO sync_hours (region, hour_ms, syncs, failures, pushed, pulled) VALUES (?, ?, 1, ?, ?, ?)
            ON CONFLICT(region, hour_ms) DO UPDATE SET syncs = syncs + 1, failures = failures + excluded.failures,
                pushed = pushed + excluded.pushed, pulled = pulled + excluded.pulled
            """)
        for region in r.regions {
            try hour.execute(arguments: [region, SyncHour.hour(of: r.atMilliseconds), r.succeeded ? 0 : 1, r.pushed, r.pulled])
        }
    }

    public func deviceStatuses() async throws -> [DeviceStatus] {
        try await guarded("deviceStatuses") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM device_status ORDER BY device").map { row in
                    DeviceStatus(deviceID: row["device"], worker: WorkerID(unchecked: row["worker"]), lastSyncMilliseconds: row["last_sync_ms"],
                                 lastSuccessMilliseconds: row["last_success_ms"], lastFailureMilliseconds: row["last_failure_ms"],
                                 lastFailure: row["last_failure"], lastDurationMilliseconds: row["last_duration_ms"],
                                 health: try Self.health(row["health"]), overBudget: row["over_budget"])
                }
            }
        }
    }

    public func syncTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [SyncHour] {
        try await guarded("syncTrend") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM sync_hours WHERE region = ? AND hour_ms >= ? ORDER BY hour_ms",
                                 arguments: [region, SyncHour.hour(of: sinceMilliseconds)]).map { row in
                    SyncHour(hourMilliseconds: row["hour_ms"], syncs: row["syncs"], failures: row["failures"], pushed: row["pushed"], pulled: row["pulled"])
                }
            }
        }
    }

    public func recordHealthHours(_ hours: [HealthHour]) async throws {
        guard !hours.isEmpty else { return }
        try await guarded("recordHealthHours") {
            try await pool.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO health_hours (region, hour_ms, taken_ms, devices, seen, synced_3d, synced_7d, unsynced, oldest_unsynced_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for h in hours {
                    try insert.execute(arguments: [h.region, h.hourMilliseconds, h.takenAtMilliseconds, h.devices, h.seen, h.syncedWithin3Days,
                                                   h.syncedWithin7Days, h.unsyncedChanges, h.oldestUnsyncedMilliseconds])
                }
            }
        }
    }

    public func healthTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [HealthHour] {
        try await guarded("healthTrend") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM health_hours WHERE region = ? AND hour_ms >= ? ORDER BY hour_ms",
                                 arguments: [region, SyncHour.hour(of: sinceMilliseconds)]).map { row in
                    HealthHour(region: row["region"], hourMilliseconds: row["hour_ms"], takenAtMilliseconds: row["taken_ms"], devices: row["devices"],
                               seen: row["seen"], syncedWithin3Days: row["synced_3d"], syncedWithin7Days: row["synced_7d"],
                               unsyncedChanges: row["unsynced"], oldestUnsyncedMilliseconds: row["oldest_unsynced_ms"])
                }
            }
        }
    }

    public func conflictDays(villages: Range<Int64>, sinceMilliseconds: Int64) async throws -> [ConflictDay] {
        try await guarded("conflictDays") {
            try await pool.read { db in
                // Midnight in UTC+8: shift by 8 hours, cut to the day, shift back.
                try Row.fetchAll(db, sql: """
                    SELECT ((at_ms + 28800000) / 86400000) * 86400000 - 28800000 AS day,
                           SUM(kind = 'needs_review') AS opened, SUM(kind = 'resolved') AS resolved
                    FROM conflict_log WHERE at_ms >= ? AND village >= ? AND village < ? GROUP BY day ORDER BY day
                    """, arguments: [ConflictDay.day(of: sinceMilliseconds), villages.lowerBound, villages.upperBound]).map { row in
                    ConflictDay(dayMilliseconds: row["day"], opened: row["opened"], resolved: row["resolved"])
                }
            }
        }
    }

    public func syncHistory(device: String, limit: Int) async throws -> [SyncRecord] {
        try await guarded("syncHistory") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM sync_history WHERE device = ? ORDER BY id DESC LIMIT ?", arguments: [device, max(0, limit)]).map { row in
                    SyncRecord(deviceID: row["device"], worker: WorkerID(unchecked: row["worker"]), atMilliseconds: row["at_ms"],
                               durationMilliseconds: row["duration_ms"], pushed: row["pushed"], rejected: row["rejected"], pulled: row["pulled"],
                               bytesIn: row["bytes_in"], bytesOut: row["bytes_out"], result: row["result"], reason: row["reason"],
                               health: try Self.health(row["health"]), overBudget: row["over_budget"])
                }
            }
        }
    }

    public func appliedChanges() async throws -> [String: Int] { LogCounts.appliedChanges(try await logCounts()) }

    public func conflictEvents() async throws -> [String: Int] { LogCounts.conflictEvents(try await logCounts()) }

    /// The counters pushes keep (`LogCounts`): a handful of rows, however long the logs.
    func logCounts() async throws -> [String: Int64] {
        try await guarded("logCounts") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT name, n FROM log_counts").reduce(into: [:]) { $0[$1["name"]] = $1["n"] }
            }
        }
    }

    public func databaseBytes() async throws -> Int64 {
        try await guarded("databaseBytes") {
            try await pool.read { db in
                (try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0)
            }
        }
    }

    static func health(_ text: String?) throws -> SyncRecord.Health? { try SyncRecord.Health.fromStoredJSON(text) }
}
