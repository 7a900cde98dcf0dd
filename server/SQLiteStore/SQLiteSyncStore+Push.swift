import FieldModel
import Foundation
import GRDB
import ServerEngine
import ServerOps
import SyncCore

extension SQLiteSyncStore {
    /// One IMMEDIATE transaction for the whole group: the write lock is taken at `BEGIN`, so no
    /// snapshot can go stale before its plan is written. Each push runs in a savepoint of its
    /// own, reading its snapshot after the writes of the pushes before it; a push that fails is
    /// rolled back to its savepoint and the group goes on.
    public func push(_ group: [PendingPush]) async -> [Result<PushResult, any Error>] {
        do {
            return try await guarded("push") {
                try await pool.writeWithoutTransaction { db in
                    var results: [Result<PushResult, any Error>] = []
                    try db.inTransaction(.immediate) {
                        for push in group {
                            results.append(try apply(push, db))
                        }
                        return .commit
                    }
                    return results
                }
            }
        } catch {
            return group.map { _ in .failure(error) }
        }
    }

    /// One push of a group in its savepoint. Throws only when the group's transaction itself is
    /// gone (SQLite rolls it back on some I/O errors): then nothing of the group may commit.
    func apply(_ push: PendingPush, _ db: Database) throws -> Result<PushResult, any Error> {
        do {
            var result: PushResult?
            try db.inSavepoint {
                let snapshot = try snapshot(for: push.input, db)
                let decided: PushPlan
                do { decided = try push.plan(snapshot) } catch { throw PlanFailure(error: error) }
                result = try write(decided, previous: snapshot.records, now: push.input.nowMilliseconds, db)
                try Self.settle(push.input, db)
                return .commit
            }
            return .success(result!)
        } catch {
            guard db.isInsideTransaction else { throw error }
            switch error {
            case let failure as PlanFailure: return .failure(failure.error)
            case let error as SyncEngineError: return .failure(error)
            default: return .failure(SyncEngineError(.storage, "push failed: \(error)"))
            }
        }
    }

    /// Carries the plan's own error through the transaction, so `guarded` rethrows it unchanged.
    struct PlanFailure: Error {
        let error: any Error
    }

    /// Everything the plan reads, in one place: the policy's own reads join here.
    func snapshot(for input: PushInput, _ db: Database) throws -> PushSnapshot {
        var digests: [RecordID: Digest128] = [:]
        var records = try states(input.touchedRecords, db, digests: &digests)
        let households = input.referencedRecords(stored: records.values).subtracting(records.keys)
        records.merge(try states(Array(households), db, digests: &digests)) { stored, _ in stored }

        var processed: [Dot: ProcessedDot] = [:]
        try forEachChunk(Array(Set(input.counters))) { chunk, marks in
            let statement = try db.cachedStatement(sql: """
                SELECT counter, digest, rejected, reason, message FROM processed_dots WHERE replica = ? AND counter IN (\(marks))
                """)
            for row in try Row.fetchAll(statement, arguments: StatementArguments([input.replica.int64] + chunk.map { Int64(bitPattern: $0) })) {
                processed[Dot(input.replica, UInt64(bitPattern: row[0]))] = try Self.processedDot(row)
            }
        }
        let highest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT highest FROM replica_counters WHERE replica = ?"),
                                         arguments: [input.replica.int64]) ?? 0
        let filings = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT filing_id, village, staff, household, relation, filed_on FROM filings WHERE staff = ?
            """), arguments: [input.staff.rawValue]).map(Self.filing)
        return PushSnapshot(records: records, processed: processed, highestProcessedCounter: UInt64(bitPattern: highest),
                            filings: filings, today: input.today, trails: try Self.trails(input.transitionedHouseholds, db),
                            notices: try notices(input.noticeVillages, db), creations: try Self.creationCounts(input, db),
                            storedDigests: digests)
    }

    /// The stored states of `ids`, and into `digests` the digest each row holds beside its state.
    func states(_ ids: [RecordID], _ db: Database, digests: inout [RecordID: Digest128]) throws -> [RecordID: RecordState] {
        var out: [RecordID: RecordState] = [:]
        try forEachChunk(ids.map(\.blob)) { chunk, marks in
            let statement = try db.cachedStatement(sql: "SELECT state, digest FROM records WHERE id IN (\(marks))")
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(Array(chunk)))
            while let row = try rows.next() {
                let state = try codec.state(row[0] as Data)
                out[state.key.id] = state
                digests[state.key.id] = try Digest128.fromBlob(row[1])
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

    /// Writes a plan with a few multi-row statements: record states with fresh sequences, the
    /// villages' digest deltas, processed dots, counters, filings and logs. Nothing is read back:
    /// the plan knows every value, and a digest changes by its delta. `previous` (the snapshot's
    /// states) says which households' supervision facts the plan changes.
    func write(_ plan: PushPlan, previous: [RecordID: RecordState], now: Int64, _ db: Database) throws -> PushResult {
        let last = plan.records.isEmpty ? try Meta.lastSequence.get(db) : try Meta.lastSequence.add(db, UInt64(plan.records.count))
        var sequence = last - UInt64(plan.records.count)
        var deltas: [VillageCode: ScopeDigest] = [:]
        var rows: [[(any DatabaseValueConvertible)?]] = []
        rows.reserveCapacity(plan.records.count)
        for record in plan.records {
            sequence += 1
            rows.append(recordRow(record, sequence: sequence))
            deltas[record.state.key.scope, default: ScopeDigest()].replace(record.previousContribution, with: record.contribution)
        }
        try MultiRowInsert.records.run(db, rows)
        try MultiRowInsert.villageDigests.run(db, deltas.sorted { $0.key < $1.key }.map { village, d in
            [village.int64, Int64(bitPattern: d.value.high), Int64(bitPattern: d.value.low), d.recordCount]
        })
        try MultiRowInsert.villages.run(db, deltas.keys.sorted().map { [$0.int64] })
        try MultiRowInsert.processedDots.run(db, plan.processed.map { dot, processed in
            let (reason, message) = StoredColumns.verdictColumns(processed.verdict)
            return [dot.replica.int64, Int64(bitPattern: dot.counter), processed.digest.blob, reason == nil ? 0 : 1, reason, message, now]
        })
        try MultiRowInsert.replicaCounters.run(db, plan.highestCounters.map { [$0.key.int64, Int64(bitPattern: $0.value)] })
        try MultiRowInsert.filings.run(db, plan.indexedFilings.map { f, staff in
            [f.id.blob, staff.rawValue, f.household.blob, f.relation.rawValue, Int64(f.filedOn.daysSinceEpoch), f.village.int64]
        })
        try indexPeople(plan.records, db)
        try updateSupervision(plan.records, households: SupervisionFacts.households(affectedBy: plan.records.map(\.state), previous: previous), db)
        try appendLogs(audit: plan.audit, conflicts: plan.conflicts, db)
        try Self.writePolicy(plan, now: now, db)
        return PushResult(outcomes: plan.outcomes, recordsWritten: plan.records.count, lastSequence: last)
    }

    /// A record's row in the order of `MultiRowInsert.records`' columns.
    func recordRow(_ record: RecordWrite, sequence: UInt64) -> [(any DatabaseValueConvertible)?] {
        let key = record.state.key
        return [key.id.blob, Int64(key.collection.rawValue), key.scope.int64, Int64(bitPattern: sequence),
                codec.blob(record.state), record.digest.blob, record.isDeleted ? 1 : 0, record.needsReview ? 1 : 0,
                record.deletedAtMilliseconds, record.householdID?.blob]
    }
}
