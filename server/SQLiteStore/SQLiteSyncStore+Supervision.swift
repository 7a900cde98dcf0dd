import FieldModel
import Foundation
import GRDB
import ServerEngine
import ServerOps
import SyncCore

/// The supervision facts (`SupervisionFacts`), kept in the push's transaction and counted by
/// village code range.
///
/// Fed in the transaction rather than from the change feed: the facts can never lag or miss a
/// write, no cursor or service is needed, and the cost is small beside the push it rides on —
/// one `SELECT` opening the states of the households whose facts the push changes and of their
/// members, and one upsert per such household or lead written; a push that changes no field
/// the facts read (incomes, visits) costs a comparison per record. The group
/// commit is untouched: the statements join the group's one transaction and its one fsync.
extension SQLiteSyncStore: SupervisionStore {
    /// Brings the facts of `households` and of the written leads up to date; runs after the
    /// records are written, in the same transaction.
    func updateSupervision(_ records: [RecordWrite], households: [RecordID], _ db: Database) throws {
        for record in records where record.state.key.collection == .discoveryLead {
            try Self.storeLead(record.state, db)
        }
        try Self.refreshHouseholds(households, codec: codec, db)
    }

    static func storeLead(_ state: RecordState, _ db: Database) throws {
        if SupervisionFacts.isOpenLead(state) {
            try db.cachedStatement(sql: "INSERT INTO supervision_leads (lead, village) VALUES (?, ?) ON CONFLICT(lead) DO UPDATE SET village = excluded.village")
                .execute(arguments: [state.key.id.blob, state.key.scope.int64])
        } else {
            try db.cachedStatement(sql: "DELETE FROM supervision_leads WHERE lead = ?").execute(arguments: [state.key.id.blob])
        }
    }

    /// Recomputes the facts of `ids` from the stored states of each household and its live
    /// members; a household gone (deleted, never stored) loses its row.
    static func refreshHouseholds(_ ids: [RecordID], codec: StoredRecordCodec, _ db: Database) throws {
        try forEachChunk(ids.map(\.blob)) { chunk, marks in
            let rows = try Data.fetchAll(db, sql: """
                SELECT state FROM records WHERE is_deleted = 0 AND (id IN (\(marks)) OR (household_id IN (\(marks)) AND collection = ?))
                """, arguments: StatementArguments(Array(chunk) + Array(chunk) + [Int64(RecordCollection.member.rawValue)]))
            var households: [RecordID: RecordState] = [:], members: [RecordID: [RecordState]] = [:]
            for data in rows {
                let state = try codec.state(data)
                if state.key.collection == .household { households[state.key.id] = state }
                else if let household = state.householdID { members[household, default: []].append(state) }
            }
            for blob in chunk {
                let id = try RecordID.fromBlob(blob)
                if let state = households[id], let facts = SupervisionFacts.household(state, members: members[id] ?? []) {
                    try db.cachedStatement(sql: """
                        INSERT INTO supervision_households (household, village, status, due_day) VALUES (?, ?, ?, ?)
                        ON CONFLICT(household) DO UPDATE SET village = excluded.village, status = excluded.status, due_day = excluded.due_day
                        """).execute(arguments: [blob, facts.village.int64, facts.status.rawValue, facts.dueOn.map { Int64($0.daysSinceEpoch) }])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM supervision_households WHERE household = ?").execute(arguments: [blob])
                }
            }
        }
    }

    /// The facts of every record stored before the supervision tables existed (migration v9).
    static func backfillSupervision(codec: StoredRecordCodec, _ db: Database) throws {
        let households = try Data.fetchAll(db, sql: "SELECT id FROM records WHERE collection = ? AND is_deleted = 0",
                                           arguments: [Int64(RecordCollection.household.rawValue)])
        try refreshHouseholds(try households.map(RecordID.fromBlob), codec: codec, db)
        let leads = try Data.fetchCursor(db, sql: "SELECT state FROM records WHERE collection = ? AND is_deleted = 0",
                                         arguments: [Int64(RecordCollection.discoveryLead.rawValue)])
        while let data = try leads.next() { try storeLead(try codec.state(data), db) }
    }

    public func supervisionCounts(villages: Range<Int64>, placeDivisor: Int64, window: SupervisionWindow) async throws -> [Int64: SupervisionCounts] {
        let today = Int64(window.today.daysSinceEpoch), last = Int64(window.lastDueDay.daysSinceEpoch)
        return try await guarded("supervisionCounts") {
            try await pool.read { db in
                var out: [Int64: SupervisionCounts] = [:]
                let households = try Row.fetchAll(db, sql: """
                    SELECT village / ?1, COALESCE(SUM(due_day < ?2), 0), COALESCE(SUM(due_day BETWEEN ?2 AND ?3), 0),
                           SUM(status = ?4), SUM(status = ?5)
                    FROM supervision_households WHERE village >= ?6 AND village < ?7 GROUP BY 1
                    """, arguments: [max(1, placeDivisor), today, last, WorkflowStatus.investigated.rawValue, WorkflowStatus.publicNotice.rawValue,
                                     villages.lowerBound, villages.upperBound])
                for row in households {
                    out[row[0]] = SupervisionCounts(overdue: row[1], due: row[2], investigated: row[3], notice: row[4])
                }
                let leads = try Row.fetchAll(db, sql: "SELECT village / ?, COUNT(*) FROM supervision_leads WHERE village >= ? AND village < ? GROUP BY 1",
                                             arguments: [max(1, placeDivisor), villages.lowerBound, villages.upperBound])
                for row in leads { out[row[0], default: SupervisionCounts()].leads = row[1] }
                return out
            }
        }
    }

    public func supervisionItems(village: VillageCode, kind: SupervisionKind, window: SupervisionWindow,
                                 hidingRelativesOf staff: WorkerID) async throws -> [SupervisionItem] {
        let today = Int64(window.today.daysSinceEpoch), last = Int64(window.lastDueDay.daysSinceEpoch)
        return try await guarded("supervisionItems") {
            try await pool.read { db in
                if kind == .leads {
                    return try Data.fetchAll(db, sql: "SELECT lead FROM supervision_leads WHERE village = ? ORDER BY lead", arguments: [village.int64])
                        .map { SupervisionItem(id: try RecordID.fromBlob($0), status: nil, dueOn: nil) }
                }
                // One statement for the four queues: the kind picks its condition.
                let rows = try Row.fetchAll(db, sql: """
                    SELECT household, status, due_day FROM supervision_households
                    WHERE village = ?1 AND household NOT IN (SELECT household FROM filings WHERE staff = ?2)
                    AND CASE ?3 WHEN 'overdue' THEN due_day < ?4 WHEN 'due' THEN due_day BETWEEN ?4 AND ?5
                                WHEN 'investigated' THEN status = ?6 WHEN 'notice' THEN status = ?7 ELSE 0 END
                    ORDER BY due_day, household
                    """, arguments: [village.int64, staff.rawValue, kind.rawValue, today, last,
                                     WorkflowStatus.investigated.rawValue, WorkflowStatus.publicNotice.rawValue])
                return try rows.map { row in
                    let day: Int64? = row[2]
                    return SupervisionItem(id: try RecordID.fromBlob(row[0]), status: WorkflowStatus(rawValue: row[1]),
                                           dueOn: try day.map { d throws(SyncEngineError) in try StoredColumns.calendarDate(days: d) })
                }
            }
        }
    }
}
