import Foundation
import GRDB

/// The baseline: one plain SQLite table of records (id, village, sequence, state blob) at the
/// server's durability (WAL, synchronous=FULL), written with upserts, one transaction a batch.
struct PlainSQLite {
    let queue: DatabaseQueue

    init(path: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE records (id BLOB PRIMARY KEY, village INTEGER NOT NULL, seq INTEGER NOT NULL, state BLOB NOT NULL)")
            try db.execute(sql: "CREATE INDEX records_by_village_seq ON records(village, seq)")
        }
    }

    /// Upserts `rows` in one transaction.
    func upsert(_ rows: [(Data, Int64, Data)], seq: inout Int64) throws {
        var next = seq
        try queue.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO records (id, village, seq, state) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state
                """)
            for r in rows {
                next += 1
                try statement.execute(arguments: [r.0, r.1, next, r.2])
            }
        }
        seq = next
    }
}
