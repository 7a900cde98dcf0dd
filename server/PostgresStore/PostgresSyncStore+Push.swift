import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import ServerOps
import SyncCore

extension PostgresSyncStore {
    /// One `READ COMMITTED` transaction for the whole group. The records of every push are
    /// locked first, together and in id order, so two instances' groups never wait on each other
    /// in a cycle; then each push, in a savepoint of its own, reads its snapshot (after the writes
    /// of the pushes before it), plans, takes the sequence lock and writes (see the type's note
    /// on concurrency). A push that fails is rolled back to its savepoint and the group goes on;
    /// a deadlock or a serialization failure runs the whole group again.
    public func push(_ group: [PendingPush]) async -> [Result<PushResult, any Error>] {
        do {
            return try await write("push") { c in
                let touched = Set(group.flatMap(\.input.touchedRecords)).map(\.buffer)
                if !touched.isEmpty {
                    try await c.run("SELECT 1 FROM records WHERE id = ANY(\(touched)::bytea[]) ORDER BY id FOR UPDATE")
                }
                var results: [Result<PushResult, any Error>] = []
                for push in group {
                    results.append(try await apply(push, c))
                }
                return results
            }
        } catch {
            return group.map { _ in .failure(error) }
        }
    }

    /// One push of a group in its savepoint. A key another instance took first (a record or a
    /// dot created meanwhile) runs this push again, after the other's commit; a deadlock or a
    /// serialization failure is thrown, for the whole group to run again.
    func apply(_ push: PendingPush, _ c: PostgresSession) async throws -> Result<PushResult, any Error> {
        var attempt = 1
        while true {
            try await c.run("SAVEPOINT push")
            do {
                let snapshot = try await snapshot(for: push.input, c)
                let decided: PushPlan
                do { decided = try push.plan(snapshot) } catch { throw PlanFailure(error: error) }
                let result = try await write(decided, snapshot: snapshot, now: push.input.nowMilliseconds, c)
                try await Self.settle(push.input, c)
                try await c.run("RELEASE SAVEPOINT push")
                return .success(result)
            } catch {
                let state = (error as? PSQLError)?.serverInfo?[.sqlState] ?? ""
                if state != "23505" && Self.retriedStates.contains(state) { throw error }
                try await c.run("ROLLBACK TO SAVEPOINT push")
                try await c.run("RELEASE SAVEPOINT push")
                if state == "23505" && attempt < 3 {
                    attempt += 1
                    continue
                }
                switch error {
                case let failure as PlanFailure: return .failure(failure.error)
                case let error as SyncEngineError: return .failure(error)
                default: return .failure(SyncEngineError(.storage, "push failed after \(attempt) attempt(s): \(Self.describe(error))"))
                }
            }
        }
    }

    /// Locks the batch's records (in id order, so two pushes never wait on each other in a
    /// cycle) before reading anything else: a push that waited here reads the dots and
    /// counters the other committed.
    func snapshot(for input: PushInput, _ c: PostgresSession) async throws -> PushSnapshot {
        var digests: [RecordID: Digest128] = [:]
        var records = try await states(input.touchedRecords, lock: true, c, digests: &digests)
        let households = input.referencedRecords(stored: records.values).subtracting(records.keys)
        // A household is read for its collection and village, which never change: no lock.
        records.merge(try await states(Array(households), lock: false, c, digests: &digests)) { stored, _ in stored }

        var processed: [Dot: ProcessedDot] = [:]
        let counters = Array(Set(input.counters)).map { Int64(bitPattern: $0) }
        for row in try await c.rows("""
            SELECT counter, digest, rejected, reason, message FROM processed_dots
            WHERE replica = \(input.replica.int64) AND counter = ANY(\(counters)::bigint[])
            """) {
            let (counter, digest, rejected, reason, message) = try row.decode((Int64, ByteBuffer, Bool, String?, String?).self)
            processed[Dot(input.replica, UInt64(bitPattern: counter))] =
                try StoredColumns.processedDot(digest: digest.bytes, rejected: rejected, reason: reason, message: message)
        }
        let highest = try await c.all("SELECT highest FROM replica_counters WHERE replica = \(input.replica.int64)", as: Int64.self).first ?? 0
        var filings: [RelativeFiling] = []
        for row in try await c.rows("SELECT filing_id, village, staff, household, relation, filed_on FROM filings WHERE staff = \(input.staff.rawValue)") {
            let (id, village, staff, household, relation, filedOn) = try row.decode((ByteBuffer, Int64, String, ByteBuffer, String, Int64).self)
            filings.append(try StoredColumns.filing(id: id.bytes, village: village, staff: staff, household: household.bytes,
                                                    relation: relation, filedOnDays: filedOn))
        }
        return PushSnapshot(records: records, processed: processed, highestProcessedCounter: UInt64(bitPattern: highest),
                            filings: filings, today: input.today, trails: try await Self.trails(input.transitionedHouseholds, c),
                            notices: try await notices(input.noticeVillages, c),
                            creations: try await Self.creationCounts(input, schema: location.schema, c),
                            storedDigests: digests)
    }

    /// The stored states of `ids`, and into `digests` the digest each row holds beside its state.
    func states(_ ids: [RecordID], lock: Bool, _ c: PostgresSession, digests: inout [RecordID: Digest128]) async throws -> [RecordID: RecordState] {
        guard !ids.isEmpty else { return [:] }
        let query: PostgresQuery = lock
            ? "SELECT state, digest FROM records WHERE id = ANY(\(ids.map(\.buffer))::bytea[]) ORDER BY id FOR UPDATE"
            : "SELECT state, digest FROM records WHERE id = ANY(\(ids.map(\.buffer))::bytea[])"
        var out: [RecordID: RecordState] = [:]
        for row in try await c.rows(query) {
            let (stateBytes, digestBytes) = try row.decode((ByteBuffer, ByteBuffer).self)
            let state = try codec.state(stateBytes)
            out[state.key.id] = state
            digests[state.key.id] = try StoredColumns.digest(digestBytes.bytes)
        }
        return out
    }

    /// Writes a plan with one statement per table. What needs no sequence number goes first;
    /// the sequence lock is taken last, so the part of a push that waits for every other
    /// instance's commit is only the record rows, the digests and the commit itself.
    ///
    /// New records are plain inserts: when another transaction created the same id since the
    /// snapshot, the unique key fails and the push runs again on the other's commit.
    func write(_ plan: PushPlan, snapshot: PushSnapshot, now: Int64, _ c: PostgresSession) async throws -> PushResult {
        try await Self.insertProcessed(plan.processed, now: now, c)
        if !plan.indexedFilings.isEmpty {
            let f = plan.indexedFilings.map(\.filing)
            let staff = plan.indexedFilings.map(\.staff.rawValue)
            try await c.run("""
                INSERT INTO filings (filing_id, staff, household, relation, filed_on, village)
                SELECT * FROM unnest(\(f.map(\.id.buffer))::bytea[], \(staff)::text[], \(f.map(\.household.buffer))::bytea[],
                                     \(f.map(\.relation.rawValue))::text[], \(f.map { Int64($0.filedOn.daysSinceEpoch) })::bigint[],
                                     \(f.map(\.village.int64))::bigint[])
                ON CONFLICT (filing_id) DO NOTHING
                """)
        }
        try await appendLogs(audit: plan.audit, conflicts: plan.conflicts, c)
        try await Self.writePolicy(plan, c)
        guard !plan.records.isEmpty else {
            return PushResult(outcomes: plan.outcomes, recordsWritten: 0, lastSequence: try await Meta.lastSequence.get(c))
        }
        let last = UInt64(bitPattern: try await Meta.add(.lastSequence, Int64(plan.records.count), c))
        let rows = RecordRows(plan.records, firstSequence: last - UInt64(plan.records.count) + 1, codec: codec)
        let (new, existing) = rows.split { snapshot.records[$0.state.key.id] == nil }
        try await Self.insertRecords(new, c)
        try await Self.updateRecords(existing, c)
        try await Self.updateDigests(plan.records, c)
        try await indexPeople(plan.records, c)
        try await updateSupervision(plan.records, households: SupervisionFacts.households(affectedBy: plan.records.map(\.state), previous: snapshot.records), c)
        return PushResult(outcomes: plan.outcomes, recordsWritten: plan.records.count, lastSequence: last)
    }

    static func insertRecords(_ r: RecordRows, _ c: PostgresSession) async throws {
        guard !r.ids.isEmpty else { return }
        try await c.run("""
            INSERT INTO records (id, collection, village, seq, state, digest, is_deleted, needs_review, deleted_at_ms, household_id)
            SELECT id, collection, village, seq, state, digest, is_deleted, needs_review, NULLIF(deleted_at_ms, -1), NULLIF(household_id, ''::bytea)
            FROM unnest(\(r.ids)::bytea[], \(r.collections)::bigint[], \(r.villages)::bigint[], \(r.sequences)::bigint[], \(r.states)::bytea[],
                        \(r.digests)::bytea[], \(r.deleted)::boolean[], \(r.needsReview)::boolean[], \(r.deletedAt)::bigint[], \(r.households)::bytea[])
                 AS u(id, collection, village, seq, state, digest, is_deleted, needs_review, deleted_at_ms, household_id)
            """)
    }

    /// Updates rows this transaction holds locked. A record deleted before keeps its first
    /// deletion time, so re-deleting it does not postpone its purge.
    static func updateRecords(_ r: RecordRows, _ c: PostgresSession) async throws {
        guard !r.ids.isEmpty else { return }
        let updated = try await c.all("""
            UPDATE records SET collection = u.collection, village = u.village, seq = u.seq, state = u.state, digest = u.digest,
                needs_review = u.needs_review, household_id = NULLIF(u.household_id, ''::bytea),
                deleted_at_ms = CASE WHEN NOT u.is_deleted THEN NULL
                                     WHEN records.is_deleted THEN records.deleted_at_ms
                                     ELSE NULLIF(u.deleted_at_ms, -1) END,
                is_deleted = u.is_deleted
            FROM unnest(\(r.ids)::bytea[], \(r.collections)::bigint[], \(r.villages)::bigint[], \(r.sequences)::bigint[], \(r.states)::bytea[],
                        \(r.digests)::bytea[], \(r.deleted)::boolean[], \(r.needsReview)::boolean[], \(r.deletedAt)::bigint[], \(r.households)::bytea[])
                 AS u(id, collection, village, seq, state, digest, is_deleted, needs_review, deleted_at_ms, household_id)
            WHERE records.id = u.id
            RETURNING records.seq
            """, as: Int64.self)
        guard updated.count == r.ids.count else {
            throw SyncEngineError(.storage, "a push updated \(updated.count) of the \(r.ids.count) records it held locked")
        }
    }

    /// Village digests change by XOR and by counts, which commute: each push adds its own delta.
    static func updateDigests(_ records: [RecordWrite], _ c: PostgresSession) async throws {
        var deltas: [VillageCode: ScopeDigest] = [:]
        for record in records { deltas[record.state.key.scope, default: ScopeDigest()].replace(record.previousContribution, with: record.contribution) }
        let villages = deltas.keys.sorted()
        let d = villages.map { deltas[$0]! }
        try await c.run("""
            WITH changed AS (
            INSERT INTO village_digests (village, high, low, record_count)
            SELECT * FROM unnest(\(villages.map(\.int64))::bigint[], \(d.map { Int64(bitPattern: $0.value.high) })::bigint[],
                                 \(d.map { Int64(bitPattern: $0.value.low) })::bigint[], \(d.map { Int64($0.recordCount) })::bigint[])
            ON CONFLICT (village) DO UPDATE SET high = village_digests.high # excluded.high, low = village_digests.low # excluded.low,
                                                record_count = village_digests.record_count + excluded.record_count
            RETURNING village
            ), known AS (INSERT INTO villages (village) SELECT village FROM changed ON CONFLICT DO NOTHING RETURNING village)
            SELECT count(*) FROM known
            """)
    }

    /// Plain inserts, with the sender's highest counter raised in the same statement: a dot
    /// another instance processed since the snapshot fails the key, and the push runs again and
    /// finds it processed.
    static func insertProcessed(_ processed: [(dot: Dot, processed: ProcessedDot)], now: Int64, _ c: PostgresSession) async throws {
        guard !processed.isEmpty else { return }
        let verdicts = processed.map { StoredColumns.verdictColumns($0.processed.verdict) }
        try await c.run("""
            WITH done AS (
                INSERT INTO processed_dots (replica, counter, digest, rejected, reason, message, decided_at_ms)
                SELECT replica, counter, digest, reason <> '', NULLIF(reason, ''), CASE WHEN reason <> '' THEN message END, \(now)
                FROM unnest(\(processed.map(\.dot.replica.int64))::bigint[], \(processed.map { Int64(bitPattern: $0.dot.counter) })::bigint[],
                            \(processed.map(\.processed.digest.buffer))::bytea[], \(verdicts.map { $0.reason ?? "" })::text[],
                            \(verdicts.map { $0.message ?? "" })::text[]) AS u(replica, counter, digest, reason, message)
                RETURNING replica, counter
            )
            INSERT INTO replica_counters (replica, highest) SELECT replica, max(counter) FROM done GROUP BY replica
            ON CONFLICT (replica) DO UPDATE SET highest = GREATEST(replica_counters.highest, excluded.highest)
            """)
    }
}

/// A plan's record writes as columns, with their fresh sequence numbers. Nulls travel as
/// sentinels (-1, an empty id) that the statements turn back into NULL: the driver's arrays
/// have no null elements.
struct RecordRows {
    var ids: [ByteBuffer] = [], collections: [Int64] = [], villages: [Int64] = [], sequences: [Int64] = []
    var states: [ByteBuffer] = [], digests: [ByteBuffer] = [], deleted: [Bool] = [], needsReview: [Bool] = []
    var deletedAt: [Int64] = [], households: [ByteBuffer] = []
    private var writes: [RecordWrite] = []
    private var assigned: [UInt64] = []
    private let codec: StoredRecordCodec

    init(_ writes: [RecordWrite], firstSequence: UInt64, codec: StoredRecordCodec) {
        self.codec = codec
        for (offset, write) in writes.enumerated() { append(write, sequence: firstSequence + UInt64(offset)) }
    }

    private init(codec: StoredRecordCodec) { self.codec = codec }

    private mutating func append(_ w: RecordWrite, sequence: UInt64) {
        writes.append(w)
        assigned.append(sequence)
        let key = w.state.key
        ids.append(key.id.buffer)
        collections.append(Int64(key.collection.rawValue))
        villages.append(key.scope.int64)
        sequences.append(Int64(bitPattern: sequence))
        states.append(ByteBuffer(bytes: codec.stateBytes(w.state)))
        digests.append(w.digest.buffer)
        deleted.append(w.isDeleted)
        needsReview.append(w.needsReview)
        deletedAt.append(w.deletedAtMilliseconds ?? -1)
        households.append(w.householdID?.buffer ?? ByteBuffer())
    }

    /// The rows for which `isNew` holds, and the others.
    func split(_ isNew: (RecordWrite) -> Bool) -> (RecordRows, RecordRows) {
        var new = RecordRows(codec: codec), existing = RecordRows(codec: codec)
        for (w, s) in zip(writes, assigned) {
            if isNew(w) { new.append(w, sequence: s) } else { existing.append(w, sequence: s) }
        }
        return (new, existing)
    }
}
