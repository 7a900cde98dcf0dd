import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// What the policy checks read and write in a push (workflow trails, notices, creation
/// counters, the recusal index's withdrawals), and the reads supervision and ops make of them.
extension SQLiteSyncStore {
    static func trails(_ households: [RecordID], _ db: Database) throws -> [RecordID: WorkflowTrail] {
        var out = Dictionary(uniqueKeysWithValues: households.map { ($0, WorkflowTrail([])) })
        try forEachChunk(households.map(\.blob)) { chunk, marks in
            let rows = try Row.fetchAll(db, sql: """
                SELECT household, replica, counter, from_status, to_status, author, context, hlc, at_ms FROM workflow_trail
                WHERE household IN (\(marks)) ORDER BY id
                """, arguments: StatementArguments(Array(chunk)))
            for row in rows {
                let step = try trailStep(row)
                out[step.household] = WorkflowTrail(out[step.household]!.steps + [step])
            }
        }
        return out
    }

    static func trailStep(_ row: Row) throws -> WorkflowTrailStep {
        try StoredColumns.trailStep(household: [UInt8](row[0] as Data), replica: row[1], counter: row[2], from: row[3], to: row[4],
                                    author: row[5], context: [UInt8](row[6] as Data), hlc: row[7], atMilliseconds: row[8])
    }

    func notices(_ villages: [VillageCode], _ db: Database) throws -> [VillageCode: [RecordState]] {
        var out: [VillageCode: [RecordState]] = [:]
        try forEachChunk(villages.map(\.int64)) { chunk, marks in
            for data in try Data.fetchAll(db, sql: "SELECT state FROM records WHERE collection = 6 AND village IN (\(marks))",
                                          arguments: StatementArguments(Array(chunk))) {
                let state = try codec.state(data)
                out[state.key.scope, default: []].append(state)
            }
        }
        return out
    }

    static func creationCounts(_ input: PushInput, _ db: Database) throws -> CreationCounts {
        var counts = CreationCounts(day: input.today)
        let scopes = input.creationScopes
        let byKey = Dictionary(uniqueKeysWithValues: scopes.map { ($0.key, $0) })
        try forEachChunk(scopes.map(\.key)) { chunk, marks in
            for row in try Row.fetchAll(db, sql: "SELECT scope, count FROM creation_counts WHERE day = ? AND scope IN (\(marks))",
                                        arguments: StatementArguments([Int64(input.today.daysSinceEpoch)] + Array(chunk))) {
                if let scope = byKey[row[0] as String] { counts[scope] = row[1] }
            }
        }
        return counts
    }

    static func writePolicy(_ plan: PushPlan, now: Int64, _ db: Database) throws {
        for step in plan.trail {
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO workflow_trail (household, replica, counter, from_status, to_status, author, context, hlc, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [step.household.blob, step.dot.replica.int64, Int64(bitPattern: step.dot.counter), step.from?.rawValue,
                                         step.to.rawValue, step.author.rawValue, Data(StoredColumns.contextBytes(step.context)),
                                         Int64(bitPattern: step.hlc.rawValue), step.atMilliseconds])
        }
        for id in plan.withdrawnFilings {
            try db.cachedStatement(sql: "DELETE FROM filings WHERE filing_id = ?").execute(arguments: [id.blob])
        }
        if let creations = plan.creations {
            let day = Int64(creations.day.daysSinceEpoch)
            // Yesterday's counters are kept for a day (a push near midnight), older ones not at all.
            try db.cachedStatement(sql: "DELETE FROM creation_counts WHERE day < ?").execute(arguments: [day - 1])
            for (scope, n) in creations.counts.sorted(by: { $0.key < $1.key }) {
                try db.cachedStatement(sql: """
                    INSERT INTO creation_counts (day, scope, count) VALUES (?, ?, ?)
                    ON CONFLICT(day, scope) DO UPDATE SET count = count + excluded.count
                    """).execute(arguments: [day, scope.key, n])
            }
        }
        for r in plan.budgetRefusals {
            try db.cachedStatement(sql: """
                INSERT INTO creation_budget_refusals (at_ms, day, scope, device, worker, budget) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [r.atMilliseconds, Int64(r.day.daysSinceEpoch), r.scope, r.deviceID, r.worker.rawValue, r.limit])
        }
    }

    public func workflowTrail(household: RecordID) async throws -> WorkflowTrail {
        try await guarded("workflowTrail") {
            try await pool.read { db in try Self.trails([household], db)[household] ?? WorkflowTrail([]) }
        }
    }

    public func liveRecords(_ collection: RecordCollection, villages: [VillageCode]?) async throws -> [RecordState] {
        try await guarded("liveRecords") {
            try await pool.read { db in
                let rows: [Data]
                if let villages {
                    var all: [Data] = []
                    try forEachChunk(villages.map(\.int64)) { chunk, marks in
                        all += try Data.fetchAll(db, sql: "SELECT state FROM records WHERE collection = ? AND is_deleted = 0 AND village IN (\(marks)) ORDER BY seq",
                                                 arguments: StatementArguments([Int64(collection.rawValue)] + Array(chunk)))
                    }
                    rows = all
                } else {
                    rows = try Data.fetchAll(db, sql: "SELECT state FROM records WHERE collection = ? AND is_deleted = 0 ORDER BY seq",
                                             arguments: [Int64(collection.rawValue)])
                }
                return try rows.map { try codec.state($0) }
            }
        }
    }

    public func creationBudgetRefusals(since milliseconds: Int64) async throws -> [CreationBudgetRefusal] {
        try await guarded("creationBudgetRefusals") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT at_ms, day, scope, device, worker, budget FROM creation_budget_refusals WHERE at_ms >= ? ORDER BY id
                    """, arguments: [milliseconds]).map { row in
                    CreationBudgetRefusal(atMilliseconds: row[0], day: CalendarDate(daysSinceEpoch: Int32(truncatingIfNeeded: row[1] as Int64)),
                                          scope: row[2], deviceID: row[3], worker: WorkerID(unchecked: row[4]), limit: row[5])
                }
            }
        }
    }
}
