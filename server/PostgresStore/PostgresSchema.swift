import PostgresNIO
import ServerEngine

/// The store's tables in PostgreSQL: the SQLite store's, in PostgreSQL's types.
///
/// Migrations are applied in order, each once, recorded in `schema_migrations`; a new one is
/// appended, never edited. Instances opening the store together take turns under an advisory
/// lock keyed by the schema's name, so a migration never runs twice.
enum PostgresSchema {
    static let migrations: [(id: String, sql: [String])] = [
        ("v1", [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            "INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('purged_through', 0), ('purge_generation', 0), ('server_counter', 0)",
            """
            CREATE TABLE records (
                id BYTEA PRIMARY KEY CHECK (length(id) = 16),
                collection BIGINT NOT NULL,
                village BIGINT NOT NULL,
                seq BIGINT NOT NULL UNIQUE,
                state BYTEA NOT NULL,
                digest BYTEA NOT NULL,
                is_deleted BOOLEAN NOT NULL,
                needs_review BOOLEAN NOT NULL,
                deleted_at_ms BIGINT,
                household_id BYTEA
            )
            """,
            // The pull's per-village range scans read this index alone (index-only), then fetch
            // the page's states by sequence.
            "CREATE INDEX records_by_village_seq ON records (village, seq)",
            "CREATE INDEX records_needing_review ON records (village, seq) WHERE needs_review",
            "CREATE INDEX records_deleted ON records (deleted_at_ms) WHERE is_deleted",
            "CREATE INDEX records_by_household ON records (household_id) WHERE household_id IS NOT NULL",
            """
            CREATE TABLE processed_dots (
                replica BIGINT NOT NULL, counter BIGINT NOT NULL, digest BYTEA NOT NULL, rejected BOOLEAN NOT NULL,
                reason TEXT, message TEXT, PRIMARY KEY (replica, counter)
            )
            """,
            "CREATE TABLE replica_counters (replica BIGINT PRIMARY KEY, highest BIGINT NOT NULL)",
            "CREATE TABLE village_digests (village BIGINT PRIMARY KEY, high BIGINT NOT NULL, low BIGINT NOT NULL, record_count BIGINT NOT NULL)",
            "CREATE TABLE villages (village BIGINT PRIMARY KEY)",
            """
            CREATE TABLE filings (
                filing_id BYTEA PRIMARY KEY REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED, staff TEXT NOT NULL, household BYTEA NOT NULL,
                relation TEXT NOT NULL, filed_on BIGINT NOT NULL, village BIGINT NOT NULL
            )
            """,
            // A push writes filings before taking the sequence lock, their records after it: the
            // reference is checked at commit.
            "CREATE INDEX filings_by_staff ON filings (staff, household)",
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, worker TEXT NOT NULL, device TEXT NOT NULL,
                replica BIGINT NOT NULL, counter BIGINT NOT NULL, collection BIGINT NOT NULL, record BYTEA NOT NULL,
                village BIGINT NOT NULL, action TEXT NOT NULL, field BIGINT, outcome TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_by_dot ON audit_log (replica, counter)",
            """
            CREATE TABLE conflict_log (
                id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, collection BIGINT NOT NULL, record BYTEA NOT NULL,
                village BIGINT NOT NULL, kind TEXT NOT NULL, field BIGINT, dots TEXT NOT NULL, winner TEXT, cause TEXT NOT NULL
            )
            """,
            "CREATE INDEX conflict_log_by_record ON conflict_log (record)",
            """
            CREATE TABLE workers (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, assignment TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE credentials (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL, worker TEXT NOT NULL REFERENCES workers (id), replica BIGINT,
                name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, issued_at_ms BIGINT NOT NULL, revoked_at_ms BIGINT
            )
            """,
            "CREATE INDEX credentials_by_worker ON credentials (worker)",
            "CREATE INDEX credentials_by_replica ON credentials (replica)",
            """
            CREATE TABLE enrolment_codes (
                code_hash TEXT PRIMARY KEY, worker TEXT NOT NULL REFERENCES workers (id), issued_by TEXT NOT NULL,
                issued_at_ms BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL, used_at_ms BIGINT, used_by TEXT
            )
            """,
            """
            CREATE TABLE security_log (
                id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT, credential TEXT,
                subject TEXT NOT NULL, detail TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE sync_history (
                id BIGSERIAL PRIMARY KEY, device TEXT NOT NULL, worker TEXT NOT NULL, at_ms BIGINT NOT NULL,
                duration_ms BIGINT NOT NULL, pushed BIGINT NOT NULL, rejected BIGINT NOT NULL, pulled BIGINT NOT NULL,
                bytes_in BIGINT NOT NULL, bytes_out BIGINT NOT NULL, result TEXT NOT NULL, reason TEXT, health TEXT,
                over_budget BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX sync_history_by_device ON sync_history (device, id)",
            """
            CREATE TABLE device_status (
                device TEXT PRIMARY KEY, worker TEXT NOT NULL, last_sync_ms BIGINT NOT NULL, last_success_ms BIGINT,
                last_failure_ms BIGINT, last_failure TEXT, last_duration_ms BIGINT NOT NULL, health TEXT,
                over_budget BOOLEAN NOT NULL
            )
            """,
            // The audit and security logs are append-only, as in the SQLite store.
            """
            CREATE FUNCTION doorstep_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
            """,
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION doorstep_append_only()",
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION doorstep_append_only()",
            "CREATE TRIGGER security_log_append_only BEFORE UPDATE OR DELETE ON security_log FOR EACH ROW EXECUTE FUNCTION doorstep_append_only()",
            "CREATE TRIGGER security_log_no_truncate BEFORE TRUNCATE ON security_log FOR EACH STATEMENT EXECUTE FUNCTION doorstep_append_only()",
        ]),
        // The retention's columns and tables, as the SQLite store's v4-retention.
        ("v2-retention", [
            "ALTER TABLE processed_dots ADD COLUMN decided_at_ms BIGINT NOT NULL DEFAULT 0",
            "UPDATE processed_dots SET decided_at_ms = (extract(epoch FROM now()) * 1000)::bigint",
            "CREATE INDEX processed_dots_by_age ON processed_dots (decided_at_ms)",
            "ALTER TABLE replica_counters ADD COLUMN settled BIGINT NOT NULL DEFAULT 0",
            "CREATE INDEX sync_history_by_time ON sync_history (at_ms)",
            "CREATE INDEX audit_log_by_time ON audit_log (at_ms)",
            "CREATE INDEX security_log_by_time ON security_log (at_ms)",
            "CREATE INDEX conflict_log_by_time ON conflict_log (at_ms)",
            """
            CREATE TABLE log_anchors (
                log TEXT PRIMARY KEY, through_id BIGINT NOT NULL, through_at_ms BIGINT NOT NULL,
                entry TEXT NOT NULL, archive TEXT NOT NULL, archive_digest TEXT NOT NULL
            )
            """,
            "CREATE TABLE archived_counts (log TEXT NOT NULL, key TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (log, key))",
            // Append-only still, but for entries already archived: the retention deletes those.
            """
            CREATE FUNCTION doorstep_append_only_but_archived() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND OLD.id <= COALESCE((SELECT through_id FROM log_anchors WHERE log = TG_TABLE_NAME), 0) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '% is append-only: only archived entries are deleted', TG_TABLE_NAME;
            END $$
            """,
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION doorstep_append_only_but_archived()",
            "DROP TRIGGER security_log_append_only ON security_log",
            "CREATE TRIGGER security_log_append_only BEFORE UPDATE OR DELETE ON security_log FOR EACH ROW EXECUTE FUNCTION doorstep_append_only_but_archived()",
        ]),
        ("v3-policy", [
            // Every accepted status write of a household, in the order the server accepted them
            // (SPEC §12). Append-only, as the audit log.
            """
            CREATE TABLE workflow_trail (
                id BIGSERIAL PRIMARY KEY, household BYTEA NOT NULL, replica BIGINT NOT NULL, counter BIGINT NOT NULL,
                from_status TEXT, to_status TEXT NOT NULL, author TEXT NOT NULL, context BYTEA NOT NULL, hlc BIGINT NOT NULL,
                at_ms BIGINT NOT NULL, UNIQUE (household, replica, counter)
            )
            """,
            "CREATE INDEX workflow_trail_by_household ON workflow_trail (household, id)",
            "CREATE TRIGGER workflow_trail_append_only BEFORE UPDATE OR DELETE ON workflow_trail FOR EACH ROW EXECUTE FUNCTION doorstep_append_only()",
            "CREATE TRIGGER workflow_trail_no_truncate BEFORE TRUNCATE ON workflow_trail FOR EACH STATEMENT EXECUTE FUNCTION doorstep_append_only()",
            "CREATE INDEX records_notices ON records (village) WHERE collection = 6",
            "CREATE TABLE creation_counts (day BIGINT NOT NULL, scope TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (day, scope))",
            """
            CREATE TABLE creation_budget_refusals (
                id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, day BIGINT NOT NULL, scope TEXT NOT NULL, device TEXT NOT NULL,
                worker TEXT NOT NULL, budget BIGINT NOT NULL
            )
            """,
            "CREATE INDEX creation_budget_refusals_by_time ON creation_budget_refusals (at_ms)",
        ]),
        ("v4-privacy", [
            // The keyed blind index of the ID numbers records hold (SPEC §11.6). A push writes
            // the index before its records' rows exist: the reference is checked at commit.
            """
            CREATE TABLE person_index (
                record BYTEA NOT NULL REFERENCES records (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                blind BYTEA NOT NULL, PRIMARY KEY (record, blind)
            )
            """,
            "CREATE INDEX person_index_by_blind ON person_index (blind)",
            "ALTER TABLE credentials ADD COLUMN revocation TEXT",
            "ALTER TABLE enrolment_codes ADD COLUMN id TEXT",
            "ALTER TABLE enrolment_codes ADD COLUMN revoked_at_ms BIGINT",
            "UPDATE enrolment_codes SET id = 'code-' || substr(md5(random()::text || code_hash), 1, 16)",
            "CREATE UNIQUE INDEX enrolment_codes_by_id ON enrolment_codes (id)",
            "CREATE INDEX enrolment_codes_by_worker ON enrolment_codes (worker)",
            "ALTER TABLE security_log ADD COLUMN count BIGINT NOT NULL DEFAULT 1",
            "ALTER TABLE security_log ADD COLUMN chain BYTEA",
            "ALTER TABLE audit_log ADD COLUMN chain BYTEA",
            // Entries before this migration stay unchained: the anchors start after them.
            "CREATE TABLE log_chains (log TEXT PRIMARY KEY, anchor_id BIGINT NOT NULL, anchor BYTEA NOT NULL, head_id BIGINT NOT NULL, head BYTEA NOT NULL)",
            """
            INSERT INTO log_chains (log, anchor_id, anchor, head_id, head)
            SELECT 'audit_log', COALESCE(MAX(id), 0), decode(repeat('00', 32), 'hex'), COALESCE(MAX(id), 0), decode(repeat('00', 32), 'hex') FROM audit_log
            UNION ALL
            SELECT 'security_log', COALESCE(MAX(id), 0), decode(repeat('00', 32), 'hex'), COALESCE(MAX(id), 0), decode(repeat('00', 32), 'hex') FROM security_log
            """,
            "CREATE TABLE log_counts (name TEXT PRIMARY KEY, n BIGINT NOT NULL)",
            // The counts of entries the retention archived (v2-retention's archived_counts) move
            // into the counters, which archiving leaves alone.
            """
            INSERT INTO log_counts (name, n)
            SELECT name, SUM(n)::bigint FROM (
                SELECT 'applied:' || collection AS name, COUNT(*) AS n FROM audit_log WHERE outcome = 'applied' GROUP BY collection
                UNION ALL SELECT 'conflict:' || kind, COUNT(*) FROM conflict_log GROUP BY kind
                UNION ALL SELECT 'applied:' || key, count FROM archived_counts WHERE log = 'audit_log'
                UNION ALL SELECT 'conflict:' || key, count FROM archived_counts WHERE log = 'conflict_log'
            ) c GROUP BY name
            """,
            "DROP TABLE archived_counts",
            """
            CREATE TABLE ops_sessions (
                id_hash TEXT PRIMARY KEY, credential TEXT NOT NULL REFERENCES credentials (id), worker TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL, expires_at_ms BIGINT NOT NULL, ended_at_ms BIGINT
            )
            """,
        ]),
        ("v5-trends", [
            // Each region's exchanges per hour (SyncHour), folded in as the history is written.
            """
            CREATE TABLE sync_hours (
                region BIGINT NOT NULL, hour_ms BIGINT NOT NULL, syncs BIGINT NOT NULL, failures BIGINT NOT NULL,
                pushed BIGINT NOT NULL, pulled BIGINT NOT NULL, PRIMARY KEY (region, hour_ms)
            )
            """,
        ]),
        ("v6-health-hours", [
            // Each region's device health per hour (HealthHour), snapshot from the device statuses.
            """
            CREATE TABLE health_hours (
                region BIGINT NOT NULL, hour_ms BIGINT NOT NULL, taken_ms BIGINT NOT NULL, devices BIGINT NOT NULL, seen BIGINT NOT NULL,
                synced_3d BIGINT NOT NULL, synced_7d BIGINT NOT NULL, unsynced BIGINT NOT NULL, oldest_unsynced_ms BIGINT,
                PRIMARY KEY (region, hour_ms)
            )
            """,
            // conflictDays reads one place's villages (a code range) over a span of days.
            "CREATE INDEX conflict_log_by_village ON conflict_log (village, at_ms)",
        ]),
        // The supervision facts, as the SQLite store's v9-supervision; `migrate` backfills them
        // from the records stored before, in the same transaction.
        (supervisionMigration, [
            "CREATE TABLE supervision_households (household BYTEA PRIMARY KEY, village BIGINT NOT NULL, status TEXT NOT NULL, due_day BIGINT)",
            "CREATE INDEX supervision_households_by_village ON supervision_households (village, status, due_day)",
            "CREATE TABLE supervision_leads (lead BYTEA PRIMARY KEY, village BIGINT NOT NULL)",
            "CREATE INDEX supervision_leads_by_village ON supervision_leads (village)",
        ]),
        // Attachment bytes (SPEC §15.5), in the database so every instance serves every file and
        // a database backup holds them: one row per chunk as it came, and a row per file once
        // the whole was checked against its hash.
        ("v8-attachments", [
            """
            CREATE TABLE attachment_chunks (
                sha256 TEXT NOT NULL, byte_offset BIGINT NOT NULL, bytes BYTEA NOT NULL, written_at_ms BIGINT NOT NULL,
                PRIMARY KEY (sha256, byte_offset)
            )
            """,
            "CREATE TABLE attachment_files (sha256 TEXT PRIMARY KEY, byte_count BIGINT NOT NULL, completed_at_ms BIGINT NOT NULL)",
        ]),
    ]

    static let supervisionMigration = "v7-supervision"

    /// Tables left out of the state hash: logs of requests, which a refused request appends to
    /// by design, and the migration record.
    static let unhashedTables: Set = ["security_log", "sync_history", "sync_hours", "health_hours", "device_status", "schema_migrations", "creation_budget_refusals", "ops_sessions", "log_chains"]

    static func migrate(_ store: PostgresSyncStore) async throws {
        let schema = store.location.schema
        try await store.write("migrate", bounded: false) { c in
            // One key per schema, so shards in one database migrate independently.
            // Waiting for another instance's migration, or migrating a large schema, is not a
            // runaway statement: the session's statement timeout does not apply here.
            try await c.run("SET LOCAL statement_timeout = 0")
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-migrations:" + schema)))")
            try await c.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""))
            try await c.run(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \"\(schema)\""))
            try await c.run("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            let applied = Set(try await c.all("SELECT id FROM schema_migrations", as: String.self))
            if let unknown = applied.subtracting(migrations.map(\.id)).sorted().first {
                throw SyncEngineError(.storage, "schema \(schema) has migration \(unknown), which this server does not know: it was written by a newer server")
            }
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.sql { try await c.run(PostgresQuery(unsafeSQL: statement)) }
                try await c.run("INSERT INTO schema_migrations (id) VALUES (\(migration.id))")
            }
            if !applied.contains(supervisionMigration) { try await store.backfillSupervision(c) }
        }
    }
}
