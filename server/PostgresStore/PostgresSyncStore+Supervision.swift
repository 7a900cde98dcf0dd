import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import ServerOps
import SyncCore

/// The supervision facts (`SupervisionFacts`), kept in the push's transaction as on SQLite
/// (why there, and not from the change feed: `SQLiteSyncStore+Supervision`).
///
/// Concurrency: a household's facts are computed from its state and its members' states, which
/// are different records, so two instances may write a household and one of its members at
/// once. The facts are read and written after the push's record rows, and those follow the
/// sequence lock (`Meta.add(.lastSequence)`), which every push writing records takes and holds
/// until it commits: the second push's recomputation runs after the first committed and, under
/// `READ COMMITTED`, reads both writes. No lock of its own is needed: one taken on the
/// households here, after the sequence, deadlocked pushes with each other (each waited 1 s for
/// PostgreSQL to break the cycle).
extension PostgresSyncStore: SupervisionStore {
    /// A missing due day in the driver's arrays, which hold no nulls.
    static let noDueDay = Int64.min

    /// Brings the facts of the written leads and of `households` up to date, after the records
    /// are written.
    func updateSupervision(_ records: [RecordWrite], households: [RecordID], _ c: PostgresSession) async throws {
        let leads = records.map(\.state).filter { $0.key.collection == .discoveryLead }
        if !leads.isEmpty { try await Self.storeLeads(leads, c) }
        if !households.isEmpty { try await refreshHouseholds(households, c) }
    }

    static func storeLeads(_ leads: [RecordState], _ c: PostgresSession) async throws {
        let open = leads.filter(SupervisionFacts.isOpenLead), closed = leads.filter { !SupervisionFacts.isOpenLead($0) }
        if !closed.isEmpty { try await c.run("DELETE FROM supervision_leads WHERE lead = ANY(\(closed.map(\.key.id.buffer))::bytea[])") }
        guard !open.isEmpty else { return }
        try await c.run("""
            INSERT INTO supervision_leads (lead, village)
            SELECT * FROM unnest(\(open.map(\.key.id.buffer))::bytea[], \(open.map(\.key.scope.int64))::bigint[])
            ON CONFLICT (lead) DO UPDATE SET village = excluded.village
            """)
    }

    /// Recomputes the facts of `ids` (sorted by id) from the stored states of each household
    /// and its live members; a household gone loses its row.
    func refreshHouseholds(_ ids: [RecordID], _ c: PostgresSession) async throws {
        let buffers = ids.map(\.buffer)
        var households: [RecordID: RecordState] = [:], members: [RecordID: [RecordState]] = [:]
        for buffer in try await c.all("""
            SELECT state FROM records WHERE NOT is_deleted
            AND (id = ANY(\(buffers)::bytea[]) OR (household_id = ANY(\(buffers)::bytea[]) AND collection = \(Int64(RecordCollection.member.rawValue))))
            """, as: ByteBuffer.self) {
            let state = try codec.state(buffer)
            if state.key.collection == .household { households[state.key.id] = state }
            else if let household = state.householdID { members[household, default: []].append(state) }
        }
        var facts: [SupervisionFacts.HouseholdFacts] = [], gone: [ByteBuffer] = []
        for id in ids {
            if let state = households[id], let f = SupervisionFacts.household(state, members: members[id] ?? []) { facts.append(f) } else { gone.append(id.buffer) }
        }
        if !gone.isEmpty { try await c.run("DELETE FROM supervision_households WHERE household = ANY(\(gone)::bytea[])") }
        guard !facts.isEmpty else { return }
        try await c.run("""
            INSERT INTO supervision_households (household, village, status, due_day)
            SELECT household, village, status, NULLIF(due_day, \(Self.noDueDay))
            FROM unnest(\(facts.map(\.id.buffer))::bytea[], \(facts.map(\.village.int64))::bigint[], \(facts.map(\.status.rawValue))::text[],
                        \(facts.map { $0.dueOn.map { Int64($0.daysSinceEpoch) } ?? Self.noDueDay })::bigint[]) AS u(household, village, status, due_day)
            ON CONFLICT (household) DO UPDATE SET village = excluded.village, status = excluded.status, due_day = excluded.due_day
            """)
    }

    /// The facts of every record stored before the supervision tables existed, in the
    /// migration's transaction.
    func backfillSupervision(_ c: PostgresSession) async throws {
        let households = try await c.all("SELECT id FROM records WHERE collection = \(Int64(RecordCollection.household.rawValue)) AND NOT is_deleted ORDER BY id",
                                         as: ByteBuffer.self).map { try StoredColumns.recordID($0.bytes) }
        for start in stride(from: 0, to: households.count, by: 1_000) {
            try await refreshHouseholds(Array(households[start..<min(start + 1_000, households.count)]), c)
        }
        let leads = try await c.all("SELECT state FROM records WHERE collection = \(Int64(RecordCollection.discoveryLead.rawValue)) AND NOT is_deleted",
                                    as: ByteBuffer.self).map { try codec.state($0) }
        for start in stride(from: 0, to: leads.count, by: 1_000) {
            try await Self.storeLeads(Array(leads[start..<min(start + 1_000, leads.count)]), c)
        }
    }

    public func supervisionCounts(villages: Range<Int64>, placeDivisor: Int64, window: SupervisionWindow) async throws -> [Int64: SupervisionCounts] {
        let today = Int64(window.today.daysSinceEpoch), last = Int64(window.lastDueDay.daysSinceEpoch), divisor = max(1, placeDivisor)
        return try await read("supervisionCounts") { c in
            var out: [Int64: SupervisionCounts] = [:]
            for row in try await c.rows("""
                SELECT village / \(divisor), count(*) FILTER (WHERE due_day < \(today)), count(*) FILTER (WHERE due_day BETWEEN \(today) AND \(last)),
                       count(*) FILTER (WHERE status = \(WorkflowStatus.investigated.rawValue)), count(*) FILTER (WHERE status = \(WorkflowStatus.publicNotice.rawValue))
                FROM supervision_households WHERE village >= \(villages.lowerBound) AND village < \(villages.upperBound) GROUP BY 1
                """) {
                let (place, overdue, due, investigated, notice) = try row.decode((Int64, Int64, Int64, Int64, Int64).self)
                out[place] = SupervisionCounts(overdue: Int(overdue), due: Int(due), investigated: Int(investigated), notice: Int(notice))
            }
            for row in try await c.rows("""
                SELECT village / \(divisor), count(*) FROM supervision_leads WHERE village >= \(villages.lowerBound) AND village < \(villages.upperBound) GROUP BY 1
                """) {
                let (place, n) = try row.decode((Int64, Int64).self)
                out[place, default: SupervisionCounts()].leads = Int(n)
            }
            return out
        }
    }

    public func supervisionItems(village: VillageCode, kind: SupervisionKind, window: SupervisionWindow,
                                 hidingRelativesOf staff: WorkerID) async throws -> [SupervisionItem] {
        let today = Int64(window.today.daysSinceEpoch), last = Int64(window.lastDueDay.daysSinceEpoch)
        return try await read("supervisionItems") { c in
            if kind == .leads {
                return try await c.all("SELECT lead FROM supervision_leads WHERE village = \(village.int64) ORDER BY lead", as: ByteBuffer.self)
                    .map { SupervisionItem(id: try StoredColumns.recordID($0.bytes), status: nil, dueOn: nil) }
            }
            // One statement for the four queues: the kind picks its condition.
            return try await c.rows("""
                SELECT household, status, due_day FROM supervision_households
                WHERE village = \(village.int64) AND household NOT IN (SELECT household FROM filings WHERE staff = \(staff.rawValue))
                AND CASE \(kind.rawValue)::text WHEN 'overdue' THEN due_day < \(today) WHEN 'due' THEN due_day BETWEEN \(today) AND \(last)
                         WHEN 'investigated' THEN status = \(WorkflowStatus.investigated.rawValue)
                         WHEN 'notice' THEN status = \(WorkflowStatus.publicNotice.rawValue) ELSE false END
                ORDER BY due_day NULLS FIRST, household
                """).map { row in
                let (id, status, day) = try row.decode((ByteBuffer, String, Int64?).self)
                return SupervisionItem(id: try StoredColumns.recordID(id.bytes), status: WorkflowStatus(rawValue: status),
                                       dueOn: try day.map { d throws(SyncEngineError) in try StoredColumns.calendarDate(days: d) })
            }
        }
    }
}
