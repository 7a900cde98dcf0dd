import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import ServerOps
import SyncCore

/// Device sync history and status in the shared database: ops sees every instance's exchanges.
extension PostgresSyncStore: OpsStore {
    /// A batch of exchanges in one transaction and three statements, however many exchanges:
    /// their history rows, each device's status once and each region's hour once
    /// (`SyncRecordBatch` folds them as one upsert per exchange would).
    public func recordSyncs(_ records: [SyncRecord]) async throws {
        guard !records.isEmpty else { return }
        let batch = SyncRecordBatch(records)
        // Encoded before the transaction: a retried attempt does not encode them again.
        let histories = Array(zip(records, try records.map { try $0.health.map { try $0.storedJSON } }))
        let statuses = Array(zip(batch.statuses, try batch.statuses.map { try $0.health.map { try $0.storedJSON } }))
        let hours = batch.hours
        try await write("recordSyncs") { c in
            for rows in histories.chunked(columns: 13) {
                var insert = ValuesQuery("""
                    INSERT INTO sync_history (device, worker, at_ms, duration_ms, pushed, rejected, pulled, bytes_in, bytes_out, result, reason, health, over_budget)
                    VALUES
                    """)
                for (r, health) in rows {
                    insert.row { q in
                        q.add(r.deviceID); q.add(r.worker.rawValue); q.add(r.atMilliseconds); q.add(r.durationMilliseconds)
                        q.add(Int64(r.pushed)); q.add(Int64(r.rejected)); q.add(Int64(r.pulled)); q.add(Int64(r.bytesIn))
                        q.add(Int64(r.bytesOut)); q.add(r.result); q.add(r.reason); q.add(health); q.add(r.overBudget)
                    }
                }
                try await c.run(insert.query())
            }
            // GREATEST and COALESCE skip NULLs, so an older exchange reported late changes nothing.
            for rows in statuses.chunked(columns: 9) {
                var upsert = ValuesQuery("""
                    INSERT INTO device_status AS s (device, worker, last_sync_ms, last_success_ms, last_failure_ms, last_failure, last_duration_ms, health, over_budget)
                    VALUES
                    """)
                for (s, health) in rows {
                    upsert.row { q in
                        q.add(s.deviceID); q.add(s.worker.rawValue); q.add(s.lastSyncMilliseconds); q.add(s.lastSuccessMilliseconds)
                        q.add(s.lastFailureMilliseconds); q.add(s.lastFailure); q.add(s.lastDurationMilliseconds); q.add(health); q.add(s.overBudget)
                    }
                }
                try await c.run(upsert.query("""
                    ON CONFLICT (device) DO UPDATE SET
                        worker = excluded.worker,
                        last_sync_ms = GREATEST(s.last_sync_ms, excluded.last_sync_ms),
                        last_success_ms = GREATEST(s.last_success_ms, excluded.last_success_ms),
                        last_failure_ms = GREATEST(s.last_failure_ms, excluded.last_failure_ms),
                        last_failure = CASE WHEN excluded.last_failure_ms IS NOT NULL THEN excluded.last_failure ELSE s.last_failure END,
                        last_duration_ms = excluded.last_duration_ms,
                        health = COALESCE(excluded.health, s.health),
                        over_budget = excluded.over_budget
                    """))
            }
            for rows in hours.chunked(columns: 6) {
                var upsert = ValuesQuery("INSERT INTO sync_hours AS h (region, hour_ms, syncs, failures, pushed, pulled) VALUES ")
                for (region, hour) in rows {
                    upsert.row { q in
                        q.add(region); q.add(hour.hourMilliseconds); q.add(Int64(hour.syncs)); q.add(Int64(hour.failures))
                        q.add(Int64(hour.pushed)); q.add(Int64(hour.pulled))
                    }
                }
                try await c.run(upsert.query("""
                    ON CONFLICT (region, hour_ms) DO UPDATE SET syncs = h.syncs + excluded.syncs, failures = h.failures + excluded.failures,
                        pushed = h.pushed + excluded.pushed, pulled = h.pulled + excluded.pulled
                    """))
            }
        }
    }

    public func recordHealthHours(_ hours: [HealthHour]) async throws {
        guard !hours.isEmpty else { return }
        try await write("recordHealthHours") { c in
            for h in hours {
                try await c.run("""
                    INSERT INTO health_hours (region, hour_ms, taken_ms, devices, seen, synced_3d, synced_7d, unsynced, oldest_unsynced_ms)
                    VALUES (\(h.region), \(h.hourMilliseconds), \(h.takenAtMilliseconds), \(Int64(h.devices)), \(Int64(h.seen)),
                            \(Int64(h.syncedWithin3Days)), \(Int64(h.syncedWithin7Days)), \(Int64(h.unsyncedChanges)), \(h.oldestUnsyncedMilliseconds))
                    ON CONFLICT (region, hour_ms) DO UPDATE SET taken_ms = excluded.taken_ms, devices = excluded.devices, seen = excluded.seen,
                        synced_3d = excluded.synced_3d, synced_7d = excluded.synced_7d, unsynced = excluded.unsynced,
                        oldest_unsynced_ms = excluded.oldest_unsynced_ms
                    """)
            }
        }
    }

    public func healthTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [HealthHour] {
        try await read("healthTrend") { c in
            try await c.rows("""
                SELECT hour_ms, taken_ms, devices, seen, synced_3d, synced_7d, unsynced, oldest_unsynced_ms FROM health_hours
                WHERE region = \(region) AND hour_ms >= \(SyncHour.hour(of: sinceMilliseconds)) ORDER BY hour_ms
                """).map { row in
                    let (hour, taken, devices, seen, within3, within7, unsynced, oldest) =
                        try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64?).self)
                    return HealthHour(region: region, hourMilliseconds: hour, takenAtMilliseconds: taken, devices: Int(devices), seen: Int(seen),
                                      syncedWithin3Days: Int(within3), syncedWithin7Days: Int(within7), unsyncedChanges: Int(unsynced),
                                      oldestUnsyncedMilliseconds: oldest)
                }
        }
    }

    public func conflictDays(villages: Range<Int64>, sinceMilliseconds: Int64) async throws -> [ConflictDay] {
        try await read("conflictDays") { c in
            // Midnight in UTC+8: shift by 8 hours, cut to the day, shift back.
            try await c.rows("""
                SELECT ((at_ms + 28800000) / 86400000) * 86400000 - 28800000 AS day,
                       count(*) FILTER (WHERE kind = 'needs_review'), count(*) FILTER (WHERE kind = 'resolved')
                FROM conflict_log WHERE at_ms >= \(ConflictDay.day(of: sinceMilliseconds)) AND village >= \(villages.lowerBound)
                    AND village < \(villages.upperBound)
                GROUP BY day ORDER BY day
                """).map { row in
                    let (day, opened, resolved) = try row.decode((Int64, Int64, Int64).self)
                    return ConflictDay(dayMilliseconds: day, opened: Int(opened), resolved: Int(resolved))
                }
        }
    }

    public func syncTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [SyncHour] {
        try await read("syncTrend") { c in
            try await c.rows("""
                SELECT hour_ms, syncs, failures, pushed, pulled FROM sync_hours
                WHERE region = \(region) AND hour_ms >= \(SyncHour.hour(of: sinceMilliseconds)) ORDER BY hour_ms
                """).map { row in
                    let (hour, syncs, failures, pushed, pulled) = try row.decode((Int64, Int64, Int64, Int64, Int64).self)
                    return SyncHour(hourMilliseconds: hour, syncs: Int(syncs), failures: Int(failures), pushed: Int(pushed), pulled: Int(pulled))
                }
        }
    }

    public func deviceStatuses() async throws -> [DeviceStatus] {
        try await read("deviceStatuses") { c in
            try await c.rows("""
                SELECT device, worker, last_sync_ms, last_success_ms, last_failure_ms, last_failure, last_duration_ms, health, over_budget
                FROM device_status ORDER BY device
                """).map { row in
                    let (device, worker, last, success, failureAt, failure, duration, health, over) =
                        try row.decode((String, String, Int64, Int64?, Int64?, String?, Int64, String?, Bool).self)
                    return DeviceStatus(deviceID: device, worker: WorkerID(unchecked: worker), lastSyncMilliseconds: last,
                                        lastSuccessMilliseconds: success, lastFailureMilliseconds: failureAt, lastFailure: failure,
                                        lastDurationMilliseconds: duration, health: try SyncRecord.Health.fromStoredJSON(health), overBudget: over)
                }
        }
    }

    public func syncHistory(device: String, limit: Int) async throws -> [SyncRecord] {
        try await read("syncHistory") { c in
            try await c.rows("""
                SELECT device, worker, at_ms, duration_ms, pushed, rejected, pulled, bytes_in, bytes_out, result, reason, health, over_budget
                FROM sync_history WHERE device = \(device) ORDER BY id DESC LIMIT \(Int64(max(0, limit)))
                """).map { row in
                    let (device, worker, at, duration, pushed, rejected, pulled, bytesIn, bytesOut, result, reason, health, over) =
                        try row.decode((String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String, String?, String?, Bool).self)
                    return SyncRecord(deviceID: device, worker: WorkerID(unchecked: worker), atMilliseconds: at, durationMilliseconds: duration,
                                      pushed: Int(pushed), rejected: Int(rejected), pulled: Int(pulled), bytesIn: Int(bytesIn), bytesOut: Int(bytesOut),
                                      result: result, reason: reason, health: try SyncRecord.Health.fromStoredJSON(health), overBudget: over)
                }
        }
    }

    public func appliedChanges() async throws -> [String: Int] { LogCounts.appliedChanges(try await logCounts()) }

    public func conflictEvents() async throws -> [String: Int] { LogCounts.conflictEvents(try await logCounts()) }

    /// The counters pushes keep (`LogCounts`): a handful of rows, however long the logs.
    func logCounts() async throws -> [String: Int64] {
        try await read("logCounts") { c in
            try await c.rows("SELECT name, n FROM log_counts").reduce(into: [:]) { out, row in
                let (name, n) = try row.decode((String, Int64).self)
                out[name] = n
            }
        }
    }

    /// The size of the store's tables with their indexes and TOAST, in its schema only (a
    /// database may hold several shards).
    public func databaseBytes() async throws -> Int64 {
        try await read("databaseBytes") { c in
            try await c.one("""
                SELECT COALESCE(SUM(pg_total_relation_size(t.oid)), 0)::bigint FROM pg_class t
                JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND t.relkind = 'r'
                """, as: Int64.self)
        }
    }
}
