import Foundation
import GRDB
import ServerEngine

/// The store's tables, created by migrations in `SQLiteSyncStore.init`.
///
/// Integers are Int64: replica ids by bit pattern, village codes and sequences as they are.
/// Record ids are 16-byte BLOBs (the UUID's bytes); digests 16-byte BLOBs (high, low, big-endian).
enum SQLiteSchema {
    /// The migrations; `codec` opens the stored states a migration derives facts from.
    static func migrator(codec: StoredRecordCodec) -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // Counters of the store: last_seq, purged_through, server_counter.
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")

            // One row per record: its current state and what pulls, digests and purges index.
            try db.execute(sql: """
                CREATE TABLE records (
                    id BLOB PRIMARY KEY CHECK (length(id) = 16),
                    collection INTEGER NOT NULL,
                    village INTEGER NOT NULL,
                    seq INTEGER NOT NULL UNIQUE,
                    state BLOB NOT NULL,
                    digest BLOB NOT NULL,
                    is_deleted INTEGER NOT NULL,
                    needs_review INTEGER NOT NULL,
                    deleted_at_ms INTEGER,
                    household_id BLOB
                ) WITHOUT ROWID
                """)
            // The pull's range scans: one per village, in sequence order.
            try db.execute(sql: "CREATE INDEX records_by_village_seq ON records(village, seq)")
            try db.execute(sql: "CREATE INDEX records_needing_review ON records(village, seq) WHERE needs_review = 1")
            try db.execute(sql: "CREATE INDEX records_deleted ON records(deleted_at_ms) WHERE is_deleted = 1")
            try db.execute(sql: "CREATE INDEX records_by_household ON records(household_id) WHERE household_id IS NOT NULL")

            // Every dot the server decided, with its content digest: exactly-once and dot reuse.
            try db.execute(sql: """
                CREATE TABLE processed_dots (
                    replica INTEGER NOT NULL,
                    counter INTEGER NOT NULL,
                    digest BLOB NOT NULL,
                    rejected INTEGER NOT NULL,
                    reason TEXT,
                    message TEXT,
                    PRIMARY KEY (replica, counter)
                ) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE TABLE replica_counters (replica INTEGER PRIMARY KEY, highest INTEGER NOT NULL)")

            // Incremental per-village digests of live records.
            try db.execute(sql: """
                CREATE TABLE village_digests (
                    village INTEGER PRIMARY KEY, high INTEGER NOT NULL, low INTEGER NOT NULL, record_count INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE TABLE villages (village INTEGER PRIMARY KEY)")

            // The recusal index: relative filings by staff member.
            try db.execute(sql: """
                CREATE TABLE filings (
                    filing_id BLOB PRIMARY KEY REFERENCES records(id),
                    staff TEXT NOT NULL,
                    household BLOB NOT NULL,
                    relation TEXT NOT NULL,
                    filed_on INTEGER NOT NULL,
                    village INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE INDEX filings_by_staff ON filings(staff, household)")

            // Who wrote what, when, from which device: never a field value. Append-only.
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    worker TEXT NOT NULL,
                    device TEXT NOT NULL,
                    replica INTEGER NOT NULL,
                    counter INTEGER NOT NULL,
                    collection INTEGER NOT NULL,
                    record BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    field INTEGER,
                    outcome TEXT NOT NULL
                )
                """)
            try db.execute(sql: "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
            try db.execute(sql: "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")

            try db.execute(sql: """
                CREATE TABLE conflict_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    collection INTEGER NOT NULL,
                    record BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    field INTEGER,
                    dots TEXT NOT NULL,
                    winner TEXT,
                    cause TEXT NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX conflict_log_by_record ON conflict_log(record)")
        }
        m.registerMigration("v2-directory") { db in
            try db.execute(sql: """
                CREATE TABLE workers (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    assignment TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                )
                """)
            try db.execute(sql: """
                CREATE TABLE credentials (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    worker TEXT NOT NULL REFERENCES workers(id),
                    replica INTEGER,
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    issued_at_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                )
                """)
            try db.execute(sql: "CREATE INDEX credentials_by_worker ON credentials(worker)")
            try db.execute(sql: "CREATE INDEX credentials_by_replica ON credentials(replica)")
            try db.execute(sql: "CREATE INDEX audit_log_by_dot ON audit_log(replica, counter)")
            try db.execute(sql: """
                CREATE TABLE enrolment_codes (
                    code_hash TEXT PRIMARY KEY,
                    worker TEXT NOT NULL REFERENCES workers(id),
                    issued_by TEXT NOT NULL,
                    issued_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    used_at_ms INTEGER,
                    used_by TEXT
                )
                """)
            try db.execute(sql: """
                CREATE TABLE security_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    actor TEXT,
                    credential TEXT,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                )
                """)
            try db.execute(sql: "CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log BEGIN SELECT RAISE(ABORT, 'security_log is append-only'); END")
            try db.execute(sql: "CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log BEGIN SELECT RAISE(ABORT, 'security_log is append-only'); END")
        }
        m.registerMigration("v3-ops") { db in
            try db.execute(sql: """
                CREATE TABLE sync_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    device TEXT NOT NULL,
                    worker TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    pushed INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    pulled INTEGER NOT NULL,
                    bytes_in INTEGER NOT NULL,
                    bytes_out INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    reason TEXT,
                    health TEXT,
                    over_budget INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX sync_history_by_device ON sync_history(device, id)")
            try db.execute(sql: """
                CREATE TABLE device_status (
                    device TEXT PRIMARY KEY,
                    worker TEXT NOT NULL,
                    last_sync_ms INTEGER NOT NULL,
                    last_success_ms INTEGER,
                    last_failure_ms INTEGER,
                    last_failure TEXT,
                    last_duration_ms INTEGER NOT NULL,
                    health TEXT,
                    over_budget INTEGER NOT NULL
                )
                """)
        }
        m.registerMigration("v4-retention") { db in
            // When each dot was decided, and how far its replica has moved past its own dots:
            // verdicts both old and passed are forgotten (SyncStore's retention).
            try db.execute(sql: "ALTER TABLE processed_dots ADD COLUMN decided_at_ms INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "UPDATE processed_dots SET decided_at_ms = ?", arguments: [Int64(Date().timeIntervalSince1970 * 1000)])
            try db.execute(sql: "CREATE INDEX processed_dots_by_age ON processed_dots(decided_at_ms)")
            try db.execute(sql: "ALTER TABLE replica_counters ADD COLUMN settled INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "CREATE INDEX sync_history_by_time ON sync_history(at_ms)")
            for log in ["audit_log", "security_log", "conflict_log"] {
                try db.execute(sql: "CREATE INDEX \(log)_by_time ON \(log)(at_ms)")
            }
            // The last archived entry of each log, and what the deleted entries counted for the metrics.
            try db.execute(sql: """
                CREATE TABLE log_anchors (
                    log TEXT PRIMARY KEY, through_id INTEGER NOT NULL, through_at_ms INTEGER NOT NULL,
                    entry TEXT NOT NULL, archive TEXT NOT NULL, archive_digest TEXT NOT NULL
                )
                """)
            try db.execute(sql: "CREATE TABLE archived_counts (log TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (log, key)) WITHOUT ROWID")
            // Append-only still, but for entries already archived: the retention deletes those.
            for log in ["audit_log", "security_log"] {
                try db.execute(sql: "DROP TRIGGER \(log)_no_delete")
                try db.execute(sql: """
                    CREATE TRIGGER \(log)_no_delete BEFORE DELETE ON \(log)
                    WHEN OLD.id > COALESCE((SELECT through_id FROM log_anchors WHERE log = '\(log)'), 0)
                    BEGIN SELECT RAISE(ABORT, '\(log) is append-only: only archived entries are deleted'); END
                    """)
            }
        }
        m.registerMigration("v5-policy") { db in
            // Every accepted status write of a household, in the order the server accepted
            // them: what workflow claims are decided against (SPEC §12). Append-only.
            try db.execute(sql: """
                CREATE TABLE workflow_trail (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    household BLOB NOT NULL,
                    replica INTEGER NOT NULL,
                    counter INTEGER NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    author TEXT NOT NULL,
                    context BLOB NOT NULL,
                    hlc INTEGER NOT NULL,
                    at_ms INTEGER NOT NULL,
                    UNIQUE (household, replica, counter)
                )
                """)
            try db.execute(sql: "CREATE INDEX workflow_trail_by_household ON workflow_trail(household, id)")
            try db.execute(sql: "CREATE TRIGGER workflow_trail_no_update BEFORE UPDATE ON workflow_trail BEGIN SELECT RAISE(ABORT, 'workflow_trail is append-only'); END")
            try db.execute(sql: "CREATE TRIGGER workflow_trail_no_delete BEFORE DELETE ON workflow_trail BEGIN SELECT RAISE(ABORT, 'workflow_trail is append-only'); END")
            // The notice gates read a village's public notices.
            try db.execute(sql: "CREATE INDEX records_notices ON records(village) WHERE collection = 6")
            // Households created per day by each device and in each village (the creation budget).
            try db.execute(sql: "CREATE TABLE creation_counts (day INTEGER NOT NULL, scope TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, scope)) WITHOUT ROWID")
            // Creates refused for the budget, for ops' alerts: a log of refusals, like the security log.
            try db.execute(sql: """
                CREATE TABLE creation_budget_refusals (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    day INTEGER NOT NULL,
                    scope TEXT NOT NULL,
                    device TEXT NOT NULL,
                    worker TEXT NOT NULL,
                    budget INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX creation_budget_refusals_by_time ON creation_budget_refusals(at_ms)")
        }
        m.registerMigration("v6-privacy") { db in
            // The keyed blind index of the ID numbers records hold (SPEC §11.6): lookups and
            // uniqueness without a plain value.
            try db.execute(sql: """
                CREATE TABLE person_index (
                    record BLOB NOT NULL REFERENCES records(id) ON DELETE CASCADE,
                    blind BLOB NOT NULL,
                    PRIMARY KEY (record, blind)
                ) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE INDEX person_index_by_blind ON person_index(blind)")
            // Why a credential was revoked: lost (wipe now) or retired (wipe once synced).
            try db.execute(sql: "ALTER TABLE credentials ADD COLUMN revocation TEXT")
            // Codes are named by an id and revocable one by one.
            try db.execute(sql: "ALTER TABLE enrolment_codes ADD COLUMN id TEXT")
            try db.execute(sql: "ALTER TABLE enrolment_codes ADD COLUMN revoked_at_ms INTEGER")
            try db.execute(sql: "UPDATE enrolment_codes SET id = 'code-' || lower(hex(randomblob(8)))")
            try db.execute(sql: "CREATE UNIQUE INDEX enrolment_codes_by_id ON enrolment_codes(id)")
            try db.execute(sql: "CREATE INDEX enrolment_codes_by_worker ON enrolment_codes(worker)")
            // Coalesced entries, and the chains of both logs (entries before this migration stay
            // unchained: the anchors start after them).
            try db.execute(sql: "ALTER TABLE security_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1")
            try db.execute(sql: "ALTER TABLE security_log ADD COLUMN chain BLOB")
            try db.execute(sql: "ALTER TABLE audit_log ADD COLUMN chain BLOB")
            try db.execute(sql: """
                CREATE TABLE log_chains (
                    log TEXT PRIMARY KEY, anchor_id INTEGER NOT NULL, anchor BLOB NOT NULL, head_id INTEGER NOT NULL, head BLOB NOT NULL
                )
                """)
            for log in ["audit_log", "security_log"] {
                let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM \(log)") ?? 0
                try db.execute(sql: "INSERT INTO log_chains (log, anchor_id, anchor, head_id, head) VALUES (?, ?, zeroblob(32), ?, zeroblob(32))",
                               arguments: [log, last, last])
            }
            // What /metrics reads instead of counting the logs: kept by the pushes that append them.
            try db.execute(sql: "CREATE TABLE log_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            // The counts of entries the retention archived (v4-retention's archived_counts) move
            // into the counters, which archiving leaves alone.
            try db.execute(sql: """
                INSERT INTO log_counts (name, n)
                SELECT name, SUM(n) FROM (
                    SELECT 'applied:' || collection AS name, COUNT(*) AS n FROM audit_log WHERE outcome = 'applied' GROUP BY collection
                    UNION ALL SELECT 'conflict:' || kind, COUNT(*) FROM conflict_log GROUP BY kind
                    UNION ALL SELECT 'applied:' || key, count FROM archived_counts WHERE log = 'audit_log'
                    UNION ALL SELECT 'conflict:' || key, count FROM archived_counts WHERE log = 'conflict_log'
                ) GROUP BY name
                """)
            try db.execute(sql: "DROP TABLE archived_counts")
            // Ops page sessions: the cookie holds a random id, the table its SHA-256.
            try db.execute(sql: """
                CREATE TABLE ops_sessions (
                    id_hash TEXT PRIMARY KEY,
                    credential TEXT NOT NULL REFERENCES credentials(id),
                    worker TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    ended_at_ms INTEGER
                )
                """)
        }
        m.registerMigration("v7-trends") { db in
            // Each region's exchanges per hour (SyncHour), folded in as the history is written.
            try db.execute(sql: """
                CREATE TABLE sync_hours (
                    region INTEGER NOT NULL,
                    hour_ms INTEGER NOT NULL,
                    syncs INTEGER NOT NULL,
                    failures INTEGER NOT NULL,
                    pushed INTEGER NOT NULL,
                    pulled INTEGER NOT NULL,
                    PRIMARY KEY (region, hour_ms)
                ) WITHOUT ROWID
                """)
        }
        m.registerMigration("v8-health-hours") { db in
            // Each region's device health per hour (HealthHour), snapshot from the device statuses.
            try db.execute(sql: """
                CREATE TABLE health_hours (
                    region INTEGER NOT NULL,
                    hour_ms INTEGER NOT NULL,
                    taken_ms INTEGER NOT NULL,
                    devices INTEGER NOT NULL,
                    seen INTEGER NOT NULL,
                    synced_3d INTEGER NOT NULL,
                    synced_7d INTEGER NOT NULL,
                    unsynced INTEGER NOT NULL,
                    oldest_unsynced_ms INTEGER,
                    PRIMARY KEY (region, hour_ms)
                ) WITHOUT ROWID
                """)
            // conflictDays reads one place's villages (a code range) over a span of days.
            try db.execute(sql: "CREATE INDEX conflict_log_by_village ON conflict_log(village, at_ms)")
        }
        m.registerMigration("v9-supervision") { db in
            // The supervision facts (SupervisionFacts), kept in each push's transaction: a
            // household's village, step and next review day; the open discovery leads. Indexed
            // by village first, so a place's counts read its code range and nothing else.
            try db.execute(sql: """
                CREATE TABLE supervision_households (
                    household BLOB PRIMARY KEY,
                    village INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    due_day INTEGER
                ) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE INDEX supervision_households_by_village ON supervision_households(village, status, due_day)")
            try db.execute(sql: "CREATE TABLE supervision_leads (lead BLOB PRIMARY KEY, village INTEGER NOT NULL) WITHOUT ROWID")
            try db.execute(sql: "CREATE INDEX supervision_leads_by_village ON supervision_leads(village)")
            // The records stored before: their facts, in the same transaction as the tables.
            try SQLiteSyncStore.backfillSupervision(codec: codec, db)
        }
        return m
    }
}
