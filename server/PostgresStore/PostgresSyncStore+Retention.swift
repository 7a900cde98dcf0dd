import PostgresNIO
import ServerEngine
import ServerOps

extension PostgresSyncStore: RetentionStore {
    public func compactProcessedDots(decidedBefore milliseconds: Int64) async throws -> Int {
        try await write("compactProcessedDots") { c in
            Int(try await c.one("""
                WITH gone AS (
                    DELETE FROM processed_dots p USING replica_counters r
                    WHERE p.decided_at_ms < \(milliseconds) AND r.replica = p.replica AND p.counter <= r.settled
                    RETURNING 1
                ) SELECT count(*) FROM gone
                """, as: Int64.self))
        }
    }

    public func trimSyncHistory(before milliseconds: Int64) async throws -> Int {
        try await write("trimSyncHistory") { c in
            // The trends' hours (and the health snapshots beside them) go with the history they were folded from.
            try await c.run("DELETE FROM sync_hours WHERE hour_ms < \(SyncHour.hour(of: milliseconds))")
            try await c.run("DELETE FROM health_hours WHERE hour_ms < \(SyncHour.hour(of: milliseconds))")
            return Int(try await c.one("WITH gone AS (DELETE FROM sync_history WHERE at_ms < \(milliseconds) RETURNING 1) SELECT count(*) FROM gone",
                                       as: Int64.self))
        }
    }

    /// Instances sharing the database archive one at a time (a lock per schema), so an entry
    /// goes into one archive only.
    public func archiveLog(_ log: RetainedLog, before milliseconds: Int64, limit: Int,
                           archive: @escaping @Sendable (LogBatch) throws -> ArchiveFile) async throws -> Int {
        try await write("archiveLog") { c in
            try await c.run("SELECT pg_advisory_xact_lock(hashtext('doorstep-retention:' || current_schema()))")
            // The oldest entries by id, up to the first one young enough to keep (as SQLite's).
            let oldest = try await c.rows(PostgresQuery(unsafeSQL: """
                SELECT id, at_ms, row_to_json(t)::text FROM \(log.rawValue) t ORDER BY id LIMIT \(max(0, limit))
                """)).map { row in
                    let (id, at, json) = try row.decode((Int64, Int64, String).self)
                    return ArchivedEntry(id: id, atMilliseconds: at, json: json)
                }
            let entries = Array(oldest.prefix { $0.atMilliseconds < milliseconds })
            guard let last = entries.last else { return 0 }
            let batch = LogBatch(log: log, previous: try await Self.anchor(log, c), entries: entries)
            let file: ArchiveFile
            do { file = try archive(batch) } catch { throw PlanFailure(error: error) }
            try await c.run("""
                INSERT INTO log_anchors (log, through_id, through_at_ms, entry, archive, archive_digest)
                VALUES (\(log.rawValue), \(last.id), \(last.atMilliseconds), \(last.json), \(file.name), \(file.digest))
                ON CONFLICT (log) DO UPDATE SET through_id = excluded.through_id, through_at_ms = excluded.through_at_ms,
                    entry = excluded.entry, archive = excluded.archive, archive_digest = excluded.archive_digest
                """)
            if let chained = ChainedLog(rawValue: log.rawValue) { try await ChainAppend.moveAnchor(chained, through: last.id, c) }
            return Int(try await c.one(PostgresQuery(unsafeSQL: """
                WITH gone AS (DELETE FROM \(log.rawValue) WHERE id <= \(last.id) RETURNING 1) SELECT count(*) FROM gone
                """), as: Int64.self))
        }
    }

    /// `VACUUM` runs outside a transaction; it takes no lock that blocks reads or writes.
    public func reclaimSpace() async throws {
        do {
            try await withPooledConnection("reclaimSpace") { [logger] connection in
                try await connection.query("VACUUM (ANALYZE) records, processed_dots, sync_history, audit_log, security_log, conflict_log",
                                           logger: logger).collect()
            }
        } catch {
            throw SyncEngineError(.storage, "reclaimSpace failed: \(Self.describe(error))")
        }
    }

    public func logAnchor(_ log: RetainedLog) async throws -> LogAnchor? {
        try await read("logAnchor") { c in try await Self.anchor(log, c) }
    }


    static func anchor(_ log: RetainedLog, _ c: PostgresSession) async throws -> LogAnchor? {
        try await c.rows("SELECT through_id, through_at_ms, entry, archive, archive_digest FROM log_anchors WHERE log = \(log.rawValue)")
            .first.map { row in
                let (id, at, entry, name, digest) = try row.decode((Int64, Int64, String, String, String).self)
                return LogAnchor(log: log, throughID: id, throughAtMilliseconds: at, entry: entry, archive: ArchiveFile(name: name, digest: digest))
            }
    }

    /// Raises `input`'s replica past the counters below its batch: a device sends its oldest
    /// unacknowledged change first, so it holds none of those unacknowledged any more.
    static func settle(_ input: PushInput, _ c: PostgresSession) async throws {
        guard let lowest = input.counters.min(), lowest > 1 else { return }
        try await c.run("""
            UPDATE replica_counters SET settled = GREATEST(settled, \(Int64(bitPattern: lowest - 1))) WHERE replica = \(input.replica.int64)
            """)
    }
}
