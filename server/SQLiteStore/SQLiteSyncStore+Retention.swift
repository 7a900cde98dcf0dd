import GRDB
import ServerEngine
import ServerOps

extension SQLiteSyncStore: RetentionStore {
    public func compactProcessedDots(decidedBefore milliseconds: Int64) async throws -> Int {
        try await guarded("compactProcessedDots") {
            try await pool.write { db in
                try db.execute(sql: """
                    DELETE FROM processed_dots WHERE decided_at_ms < ?
                    AND counter <= (SELECT settled FROM replica_counters r WHERE r.replica = processed_dots.replica)
                    """, arguments: [milliseconds])
                return db.changesCount
            }
        }
    }

    public func trimSyncHistory(before milliseconds: Int64) async throws -> Int {
        try await guarded("trimSyncHistory") {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM sync_history WHERE at_ms < ?", arguments: [milliseconds])
                let removed = db.changesCount
                // The trends' hours (and the health snapshots beside them) go with the history they were folded from.
                try db.execute(sql: "DELETE FROM sync_hours WHERE hour_ms < ?", arguments: [SyncHour.hour(of: milliseconds)])
                try db.execute(sql: "DELETE FROM health_hours WHERE hour_ms < ?", arguments: [SyncHour.hour(of: milliseconds)])
                return removed
            }
        }
    }

    public func archiveLog(_ log: RetainedLog, before milliseconds: Int64, limit: Int,
                           archive: @escaping @Sendable (LogBatch) throws -> ArchiveFile) async throws -> Int {
        try await guarded("archiveLog") {
            try await pool.write { db in
                // Every column, bytes as \x hex (as PostgreSQL's row_to_json writes them), so a
                // column added later is archived too.
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [log.rawValue])
                let object = columns.map { "'\($0)', CASE WHEN typeof(\"\($0)\") = 'blob' THEN '\\x' || lower(hex(\"\($0)\")) ELSE \"\($0)\" END" }
                    .joined(separator: ", ")
                // The oldest entries by id, up to the first one young enough to keep: what is deleted
                // (every id through the last archived) is then exactly what was archived, even
                // where a later id carries an earlier time.
                let entries = try Row.fetchAll(db, sql: """
                    SELECT id, at_ms, json_object(\(object)) FROM \(log.rawValue) ORDER BY id LIMIT ?
                    """, arguments: [max(0, limit)]).map { ArchivedEntry(id: $0[0], atMilliseconds: $0[1], json: $0[2]) }
                    .prefix { $0.atMilliseconds < milliseconds }
                guard let last = entries.last else { return 0 }
                let batch = LogBatch(log: log, previous: try Self.anchor(log, db), entries: Array(entries))
                let file: ArchiveFile
                do { file = try archive(batch) } catch { throw PlanFailure(error: error) }
                try db.execute(sql: """
                    INSERT INTO log_anchors (log, through_id, through_at_ms, entry, archive, archive_digest) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(log) DO UPDATE SET through_id = excluded.through_id, through_at_ms = excluded.through_at_ms,
                        entry = excluded.entry, archive = excluded.archive, archive_digest = excluded.archive_digest
                    """, arguments: [log.rawValue, last.id, last.atMilliseconds, last.json, file.name, file.digest])
                if let chained = ChainedLog(rawValue: log.rawValue) { try Self.moveAnchor(chained, through: last.id, db) }
                try db.execute(sql: "DELETE FROM \(log.rawValue) WHERE id <= ?", arguments: [last.id])
                return db.changesCount
            }
        }
    }

    /// Freed pages go to SQLite's free list and are reused by the next writes.
    public func reclaimSpace() async throws {}

    public func logAnchor(_ log: RetainedLog) async throws -> LogAnchor? {
        try await guarded("logAnchor") { try await pool.read { db in try Self.anchor(log, db) } }
    }

    static func anchor(_ log: RetainedLog, _ db: Database) throws -> LogAnchor? {
        try Row.fetchOne(db, sql: "SELECT * FROM log_anchors WHERE log = ?", arguments: [log.rawValue]).map { row in
            LogAnchor(log: log, throughID: row["through_id"], throughAtMilliseconds: row["through_at_ms"], entry: row["entry"],
                      archive: ArchiveFile(name: row["archive"], digest: row["archive_digest"]))
        }
    }

    /// Raises `input`'s replica past the counters below its batch: a device sends its oldest
    /// unacknowledged change first, so it holds none of those unacknowledged any more.
    static func settle(_ input: PushInput, _ db: Database) throws {
        guard let lowest = input.counters.min(), lowest > 1 else { return }
        try db.cachedStatement(sql: "UPDATE replica_counters SET settled = max(settled, ?) WHERE replica = ?")
            .execute(arguments: [Int64(bitPattern: lowest - 1), input.replica.int64])
    }
}
