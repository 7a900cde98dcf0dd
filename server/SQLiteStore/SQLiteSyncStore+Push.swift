import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

extension SQLiteSyncStore {
    /// One IMMEDIATE transaction: read the snapshot, plan, write. The write lock is taken at
    /// `BEGIN`, so the snapshot cannot go stale before the plan is written.
    public func push(_ input: PushInput, plan: @Sendable (PushSnapshot) throws -> PushPlan) async throws -> PushResult {
        try await guarded("push") {
            try await pool.writeWithoutTransaction { db in
                var result: PushResult?
                try db.inTransaction(.immediate) {
                    let snapshot = try Self.snapshot(for: input, db)
                    let decided: PushPlan
                    do { decided = try plan(snapshot) } catch { throw PlanFailure(error: error) }
                    result = try Self.write(decided, now: input.nowMilliseconds, db)
                    return .commit
                }
                return result!
            }
        }
    }

    /// Carries the plan's own error through the transaction, so `guarded` rethrows it unchanged.
    struct PlanFailure: Error {
        let error: any Error
    }

    static func snapshot(for input: PushInput, _ db: Database) throws -> PushSnapshot {
        var records = try states(input.touchedRecords, db)
        let households = input.referencedHouseholds(stored: records.values).subtracting(records.keys)
        records.merge(try states(Array(households), db)) { stored, _ in stored }

        var processed: [Dot: ProcessedDot] = [:]
        try forEachChunk(Array(Set(input.counters))) { chunk, marks in
            let rows = try Row.fetchAll(db, sql: """
                SELECT counter, digest, rejected, reason, message FROM processed_dots WHERE replica = ? AND counter IN (\(marks))
                """, arguments: StatementArguments([input.replica.int64] + chunk.map { Int64(bitPattern: $0) }))
            for row in rows {
                processed[Dot(input.replica, UInt64(bitPattern: row[0]))] = try processedDot(row)
            }
        }
        let highest = try Int64.fetchOne(db, sql: "SELECT highest FROM replica_counters WHERE replica = ?",
                                         arguments: [input.replica.int64]) ?? 0
        let filings = try Row.fetchAll(db, sql: """
            SELECT filing_id, village, staff, household, relation, filed_on FROM filings WHERE staff = ?
            """, arguments: [input.staff.rawValue]).map(filing)
        return PushSnapshot(records: records, processed: processed, highestProcessedCounter: UInt64(bitPattern: highest),
                            filings: filings, today: input.today, trails: try trails(input.transitionedHouseholds, db),
                            notices: try notices(input.noticeVillages, db), creations: try creationCounts(input, db))
    }

    static func states(_ ids: [RecordID], _ db: Database) throws -> [RecordID: RecordState] {
        var out: [RecordID: RecordState] = [:]
        try forEachChunk(ids.map(\.blob)) { chunk, marks in
            for data in try Data.fetchAll(db, sql: "SELECT state FROM records WHERE id IN (\(marks))", arguments: StatementArguments(Array(chunk))) {
                let state = try StoredState.decode(data)
                out[state.key.id] = state
            }
        }
        return out
    }

    static func processedDot(_ row: Row) throws -> ProcessedDot {
        try StoredColumns.processedDot(digest: [UInt8](row[1] as Data), rejected: (row[2] as Int64) != 0, reason: row[3], message: row[4])
    }

    static func filing(_ row: Row) throws -> RelativeFiling {
        try StoredColumns.filing(id: [UInt8](row[0] as Data), village: row[1], staff: row[2], household: [UInt8](row[3] as Data),
                                 relation: row[4], filedOnDays: row[5])
    }

    /// Writes a plan: record states with fresh sequences, digests, processed dots, counters,
    /// filings and logs.
    static func write(_ plan: PushPlan, now: Int64, _ db: Database) throws -> PushResult {
        var sequence = try Meta.lastSequence.get(db)
        var digests: [VillageCode: ScopeDigest] = [:]
        for record in plan.records {
            sequence += 1
            try writeRecord(record, sequence: sequence, db)
            let village = record.state.key.scope
            if digests[village] == nil { digests[village] = try villageDigest(village, db) }
            digests[village]!.replace(record.previousContribution, with: record.contribution)
        }
        try Meta.lastSequence.set(db, sequence)
        for (village, digest) in digests {
            try db.cachedStatement(sql: """
                INSERT INTO village_digests (village, high, low, record_count) VALUES (?, ?, ?, ?)
                ON CONFLICT(village) DO UPDATE SET high = excluded.high, low = excluded.low, record_count = excluded.record_count
                """).execute(arguments: [village.int64, Int64(bitPattern: digest.value.high), Int64(bitPattern: digest.value.low), digest.recordCount])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO villages (village) VALUES (?)").execute(arguments: [village.int64])
        }
        for (dot, processed) in plan.processed {
            let (reason, message) = StoredColumns.verdictColumns(processed.verdict)
            try db.cachedStatement(sql: """
                INSERT INTO processed_dots (replica, counter, digest, rejected, reason, message) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [dot.replica.int64, Int64(bitPattern: dot.counter), processed.digest.blob, reason == nil ? 0 : 1, reason, message])
        }
        for (replica, highest) in plan.highestCounters {
            try db.cachedStatement(sql: """
                INSERT INTO replica_counters (replica, highest) VALUES (?, ?)
                ON CONFLICT(replica) DO UPDATE SET highest = max(highest, excluded.highest)
                """).execute(arguments: [replica.int64, Int64(bitPattern: highest)])
        }
        for (f, staff) in plan.indexedFilings {
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO filings (filing_id, staff, household, relation, filed_on, village) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [f.id.blob, staff.rawValue, f.household.blob, f.relation.rawValue, Int64(f.filedOn.daysSinceEpoch), f.village.int64])
        }
        try appendLogs(audit: plan.audit, conflicts: plan.conflicts, db)
        try writePolicy(plan, now: now, db)
        return PushResult(outcomes: plan.outcomes, recordsWritten: plan.records.count, lastSequence: sequence)
    }

    /// Inserts or replaces a record's row. A record deleted before keeps its first deletion time,
    /// so re-deleting it does not postpone its purge.
    static func writeRecord(_ record: RecordWrite, sequence: UInt64, _ db: Database) throws {
        let key = record.state.key
        try db.cachedStatement(sql: """
            INSERT INTO records (id, collection, village, seq, state, digest, is_deleted, needs_review, deleted_at_ms, household_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET
                collection = excluded.collection, village = excluded.village, seq = excluded.seq, state = excluded.state,
                digest = excluded.digest, needs_review = excluded.needs_review, household_id = excluded.household_id,
                deleted_at_ms = CASE WHEN excluded.is_deleted = 0 THEN NULL
                                     WHEN records.is_deleted = 1 THEN records.deleted_at_ms
                                     ELSE excluded.deleted_at_ms END,
                is_deleted = excluded.is_deleted
            """).execute(arguments: [
                key.id.blob, Int64(key.collection.rawValue), key.scope.int64, Int64(bitPattern: sequence),
                StoredState.blob(record.state), record.digest.blob, record.isDeleted ? 1 : 0, record.needsReview ? 1 : 0,
                record.deletedAtMilliseconds, record.householdID?.blob,
            ])
    }

    static func villageDigest(_ village: VillageCode, _ db: Database) throws -> ScopeDigest {
        guard let row = try Row.fetchOne(db, sql: "SELECT high, low, record_count FROM village_digests WHERE village = ?",
                                         arguments: [village.int64]) else { return ScopeDigest() }
        return ScopeDigest(value: Digest128(high: UInt64(bitPattern: row[0]), low: UInt64(bitPattern: row[1])), recordCount: row[2])
    }
}
