import GRDB

/// The replica's tables, created and upgraded by migrations.
///
/// - `records`: per record, the state the server last sent (`confirmed`, observable encoding) and
///   the state the worker sees (`view`: confirmed plus this device's unconfirmed changes).
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
        return m
    }
}

/// Outbox row states.
enum OutboxStatus: Int {
    case pending = 0
    case acked = 1
    case rejected = 2
}
