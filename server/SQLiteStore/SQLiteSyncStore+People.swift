import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// The blind index of ID numbers, and re-sealing records under the active data key.
extension SQLiteSyncStore: PeopleStore {
    /// Replaces the index rows of every written record whose ID numbers changed (or is new).
    func indexPeople(_ records: [RecordWrite], _ db: Database) throws {
        for record in records where record.idNumbersChanged && !Schema.idNumberFields(of: record.state.key.collection).isEmpty {
            let id = record.state.key.id.blob
            try db.cachedStatement(sql: "DELETE FROM person_index WHERE record = ?").execute(arguments: [id])
            for blind in codec.personIndex.values(of: record.state) {
                try db.cachedStatement(sql: "INSERT INTO person_index (record, blind) VALUES (?, ?)").execute(arguments: [id, Data(blind)])
            }
        }
    }

    public func people(indexes: [[UInt8]]) async throws -> [PersonMatch] {
        try await guarded("people") {
            try await pool.read { db in
                var out: [PersonMatch] = []
                try forEachChunk(indexes.map { Data($0) }) { chunk, marks in
                    let rows = try Row.fetchAll(db, sql: """
                        SELECT p.blind, r.collection, r.id, r.village FROM person_index p JOIN records r ON r.id = p.record
                        WHERE p.blind IN (\(marks)) ORDER BY r.seq
                        """, arguments: StatementArguments(Array(chunk)))
                    for row in rows {
                        out.append(PersonMatch(index: [UInt8](row[0] as Data),
                                               key: try StoredColumns.key(collection: row[1], record: [UInt8](row[2] as Data), village: row[3])))
                    }
                }
                return out
            }
        }
    }

    public func resealBatch(after cursor: RecordID?, limit: Int) async throws -> ResealProgress {
        try await guarded("resealBatch") {
            try await pool.write { db in
                let rows = try Row.fetchAll(db, sql: "SELECT id, state FROM records WHERE id > ? ORDER BY id LIMIT ?",
                                            arguments: [(cursor ?? RecordID(high: 0, low: 0)).blob, max(1, limit)])
                var progress = ResealProgress(scanned: rows.count, resealed: 0, last: nil)
                for row in rows {
                    let stored = [UInt8](row[1] as Data)
                    let id = try RecordID.fromBlob(row[0])
                    progress.last = id
                    guard codec.needsResealing(stored) else { continue }
                    let state = try codec.state(stored)
                    try db.cachedStatement(sql: "UPDATE records SET state = ? WHERE id = ?").execute(arguments: [codec.blob(state), id.blob])
                    // As a new record: its whole index is written again, under the current blind key.
                    try indexPeople([RecordWrite(state: state, previous: nil, now: 0)], db)
                    progress.resealed += 1
                }
                return progress
            }
        }
    }

    /// Rebuilds the file when it held plain states (no page of the old file survives), then
    /// checkpoints the WAL into it and truncates it: no old frame survives either.
    public func finishResealing(hadPlainStates: Bool) async throws -> String? {
        try await guarded("finishResealing") {
            try await pool.writeWithoutTransaction { db in
                if hadPlainStates { try db.execute(sql: "VACUUM") }
                // The checkpointer's own passive checkpoint (a few ms every 100 ms) makes this
                // one busy at once, without waiting: try again a few times before giving up.
                for attempt in 0..<20 {
                    if attempt > 0 { Thread.sleep(forTimeInterval: 0.05) }
                    let busy: Int = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")?[0] ?? 0
                    if busy == 0 { return nil }
                }
                return "the WAL could not be truncated while other connections read; run rotate-key again when the server is idle"
            }
        }
    }

    public func sealingSummary() async throws -> [UInt32?: Int] {
        try await guarded("sealingSummary") {
            try await pool.read { db in
                var out: [UInt32?: Int] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT substr(state, 1, 6) FROM records")
                while let row = try rows.next() { out[StoredRecordCodec.keyID(of: [UInt8](row[0] as Data)), default: 0] += 1 }
                return out
            }
        }
    }
}
