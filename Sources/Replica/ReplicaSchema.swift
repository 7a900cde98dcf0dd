import GRDB

/// The replica's tables, created and upgraded by migrations.
///
/// - `records`: per record, the state the server last sent (`confirmed`, observable encoding) and
///   the state the worker sees (`view`: confirmed plus this device's unconfirmed changes; NULL
///   when the worker has no such change, the view then being the confirmed state).
/// - `outbox`: every local change until the server's state covers it; rejected ones stay, shown.
/// - `cursors`, `digests`: pull position and digest of confirmed states, per village.
/// - `evidence_uploads`: evidence files waiting for upload (the files sit beside the database).
enum ReplicaSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);
                CREATE TABLE records (
                    collection INTEGER NOT NULL,
                    id BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    household BLOB,
                    confirmed BLOB,
                    confirmed_digest_high INTEGER,
                    confirmed_digest_low INTEGER,
                    view BLOB NOT NULL,
                    is_deleted INTEGER NOT NULL,
                    needs_review INTEGER NOT NULL,
                    PRIMARY KEY (collection, id)
                ) WITHOUT ROWID;
                CREATE INDEX records_by_village ON records (village, collection);
                CREATE INDEX records_by_household ON records (household) WHERE household IS NOT NULL;
                CREATE INDEX records_needing_review ON records (needs_review) WHERE needs_review = 1;
                CREATE TABLE outbox (
                    counter INTEGER PRIMARY KEY NOT NULL,
                    collection INTEGER NOT NULL,
                    record_id BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    change BLOB NOT NULL,
                    created_ms INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    reason TEXT,
                    message TEXT,
                    acked_ms INTEGER
                );
                CREATE INDEX outbox_by_record ON outbox (collection, record_id);
                CREATE INDEX outbox_by_status ON outbox (status, counter);
                CREATE TABLE cursors (village INTEGER PRIMARY KEY NOT NULL, position INTEGER NOT NULL);
                CREATE TABLE digests (
                    village INTEGER PRIMARY KEY NOT NULL,
                    high INTEGER NOT NULL, low INTEGER NOT NULL, count INTEGER NOT NULL
                );
                CREATE TABLE sync_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL,
                    result TEXT NOT NULL, reason TEXT,
                    pushed INTEGER NOT NULL, acked INTEGER NOT NULL, rejected INTEGER NOT NULL, pulled INTEGER NOT NULL,
                    bytes_up INTEGER NOT NULL, bytes_down INTEGER NOT NULL
                );
                CREATE TABLE conflict_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL, collection INTEGER NOT NULL, record_id BLOB NOT NULL,
                    field INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL
                );
                """)
        }
        // Protocol version 2: the server's handle of each record's confirmed state (SPEC §5),
        // sent in place of the record's id; NULL when the server gave none.
        m.registerMigration("v2-record-handles") { db in
            try db.execute(sql: "ALTER TABLE records ADD COLUMN handle INTEGER")
        }
        // Restores (SPEC §4): acknowledged changes kept, as the outbox held them, until a backup
        // of the server covers the sequence they were acknowledged under.
        m.registerMigration("v3-retained") { db in
            try db.execute(sql: """
                CREATE TABLE retained (
                    counter INTEGER PRIMARY KEY NOT NULL,
                    collection INTEGER NOT NULL,
                    record_id BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    change BLOB NOT NULL,
                    created_ms INTEGER NOT NULL,
                    applied_through INTEGER NOT NULL
                );
                CREATE INDEX retained_by_applied ON retained (applied_through);
                """)
        }
        // Evidence (SPEC §15): each attachment whose file still waits for upload. The bytes are
        // in `<replica path>.evidence/<sha256>`, never in a row.
        m.registerMigration("v4-evidence") { db in
            try db.execute(sql: """
                CREATE TABLE evidence_uploads (
                    attachment_id BLOB PRIMARY KEY NOT NULL,
                    sha256 TEXT NOT NULL,
                    byte_count INTEGER NOT NULL,
                    content_type TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    state INTEGER NOT NULL,
                    failure_code TEXT,
                    failure_message TEXT
                ) WITHOUT ROWID;
                CREATE INDEX evidence_uploads_by_sha256 ON evidence_uploads (sha256);
                """)
        }
        // One state per record until the worker changes it, and rows in insertion order. `view`
        // may be NULL (the confirmed state is the view: every record of a bootstrap), which halves
        // what a pulled page seals and writes; and the table has a rowid again, so a page appends
        // its rows instead of inserting ~1 KB rows at random places of a WITHOUT ROWID b-tree
        // keyed by random ids (SQLite advises WITHOUT ROWID for small rows only). Together these
        // took the device time of a township's bootstrap from 2.1 s to 0.73 s (19–20× plain inserts to
        // 6.2–6.6×, `doorstep-bench --only bootstrap`, with the inlined `RecordID(bytes:)`).
        m.registerMigration("v5-records-rowid") { db in
            try db.execute(sql: """
                CREATE TABLE records_v5 (
                    collection INTEGER NOT NULL,
                    id BLOB NOT NULL,
                    village INTEGER NOT NULL,
                    household BLOB,
                    confirmed BLOB,
                    confirmed_digest_high INTEGER,
                    confirmed_digest_low INTEGER,
                    view BLOB,
                    is_deleted INTEGER NOT NULL,
                    needs_review INTEGER NOT NULL,
                    handle INTEGER,
                    PRIMARY KEY (collection, id),
                    CHECK (view IS NOT NULL OR confirmed IS NOT NULL)
                );
                INSERT INTO records_v5 (collection, id, village, household, confirmed, confirmed_digest_high, confirmed_digest_low,
                                        view, is_deleted, needs_review, handle)
                SELECT collection, id, village, household, confirmed, confirmed_digest_high, confirmed_digest_low,
                       view, is_deleted, needs_review, handle FROM records;
                DROP TABLE records;
                ALTER TABLE records_v5 RENAME TO records;
                CREATE INDEX records_by_village ON records (village, collection);
                CREATE INDEX records_by_household ON records (household) WHERE household IS NOT NULL;
                CREATE INDEX records_needing_review ON records (needs_review) WHERE needs_review = 1;
                """)
        }
        return m
    }
}

/// Outbox row states.
enum OutboxStatus: Int {
    case pending = 0
    case acked = 1
    case rejected = 2
}
