import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// What the policy checks read and write in a push (workflow trails, notices, creation
/// counters, the recusal index's withdrawals), and the reads supervision and ops make of them.
///
/// Concurrency: a push has locked the households it touches before it reads their trails, so
/// two pushes transitioning one household take turns. Notices are read `FOR SHARE`: an
/// objection recorded meanwhile on another instance waits for this push, or this push for it.
/// The creation counters of a scope are read under a transaction-level advisory lock on the
/// schema and scope, taken in scope order, so two instances cannot both spend a village's last
/// creation (and shards in one database never wait on each other).
extension PostgresSyncStore {
    static func trails(_ households: [RecordID], _ c: PostgresSession) async throws -> [RecordID: WorkflowTrail] {
        var out = Dictionary(uniqueKeysWithValues: households.map { ($0, [WorkflowTrailStep]()) })
        guard !households.isEmpty else { return [:] }
        for row in try await c.rows("""
            SELECT household, replica, counter, from_status, to_status, author, context, hlc, at_ms FROM workflow_trail
            WHERE household = ANY(\(households.map(\.buffer))::bytea[]) ORDER BY id
            """) {
            let step = try trailStep(row)
            out[step.household, default: []].append(step)
        }
        return out.mapValues(WorkflowTrail.init)
    }

    static func trailStep(_ row: PostgresRow) throws -> WorkflowTrailStep {
        let (household, replica, counter, from, to, author, context, hlc, at) =
            try row.decode((ByteBuffer, Int64, Int64, String?, String, String, ByteBuffer, Int64, Int64).self)
        return try StoredColumns.trailStep(household: household.bytes, replica: replica, counter: counter, from: from, to: to,
                                           author: author, context: context.bytes, hlc: hlc, atMilliseconds: at)
    }

    func notices(_ villages: [VillageCode], _ c: PostgresSession) async throws -> [VillageCode: [RecordState]] {
        guard !villages.isEmpty else { return [:] }
        var out: [VillageCode: [RecordState]] = [:]
        for buffer in try await c.all("""
            SELECT state FROM records WHERE collection = 6 AND village = ANY(\(villages.map(\.int64))::bigint[]) ORDER BY id FOR SHARE
            """, as: ByteBuffer.self) {
            let state = try codec.state(buffer)
            out[state.key.scope, default: []].append(state)
        }
        return out
    }

    static func creationCounts(_ input: PushInput, schema: String, _ c: PostgresSession) async throws -> CreationCounts {
        var counts = CreationCounts(day: input.today)
        let scopes = input.creationScopes.sorted()
        guard !scopes.isEmpty else { return counts }
        for scope in scopes {
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-creations:\(schema):" + scope.key)))")
        }
        let byKey = Dictionary(uniqueKeysWithValues: scopes.map { ($0.key, $0) })
        for row in try await c.rows("""
            SELECT scope, count FROM creation_counts WHERE day = \(Int64(input.today.daysSinceEpoch)) AND scope = ANY(\(scopes.map(\.key))::text[])
            """) {
            let (key, n) = try row.decode((String, Int64).self)
            if let scope = byKey[key] { counts[scope] = Int(n) }
        }
        return counts
    }

    static func writePolicy(_ plan: PushPlan, _ c: PostgresSession) async throws {
        let t = plan.trail
        if !t.isEmpty {
            try await c.run("""
                INSERT INTO workflow_trail (household, replica, counter, from_status, to_status, author, context, hlc, at_ms)
                SELECT household, replica, counter, NULLIF(from_status, ''), to_status, author, context, hlc, at_ms
                FROM unnest(\(t.map(\.household.buffer))::bytea[], \(t.map(\.dot.replica.int64))::bigint[],
                            \(t.map { Int64(bitPattern: $0.dot.counter) })::bigint[], \(t.map { $0.from?.rawValue ?? "" })::text[],
                            \(t.map(\.to.rawValue))::text[], \(t.map(\.author.rawValue))::text[],
                            \(t.map { ByteBuffer(bytes: StoredColumns.contextBytes($0.context)) })::bytea[],
                            \(t.map { Int64(bitPattern: $0.hlc.rawValue) })::bigint[], \(t.map(\.atMilliseconds))::bigint[])
                     WITH ORDINALITY AS u(household, replica, counter, from_status, to_status, author, context, hlc, at_ms, n)
                ORDER BY n
                ON CONFLICT (household, replica, counter) DO NOTHING
                """)
        }
        if !plan.withdrawnFilings.isEmpty {
            try await c.run("DELETE FROM filings WHERE filing_id = ANY(\(plan.withdrawnFilings.map(\.buffer))::bytea[])")
        }
        if let creations = plan.creations {
            let day = Int64(creations.day.daysSinceEpoch)
            let scopes = creations.counts.keys.sorted()
            try await c.run("DELETE FROM creation_counts WHERE day < \(day - 1)")
            try await c.run("""
                INSERT INTO creation_counts (day, scope, count)
                SELECT \(day), scope, n FROM unnest(\(scopes.map(\.key))::text[], \(scopes.map { Int64(creations.counts[$0]!) })::bigint[]) AS u(scope, n)
                ON CONFLICT (day, scope) DO UPDATE SET count = creation_counts.count + excluded.count
                """)
        }
        let r = plan.budgetRefusals
        if !r.isEmpty {
            try await c.run("""
                INSERT INTO creation_budget_refusals (at_ms, day, scope, device, worker, budget)
                SELECT * FROM unnest(\(r.map(\.atMilliseconds))::bigint[], \(r.map { Int64($0.day.daysSinceEpoch) })::bigint[],
                                     \(r.map(\.scope))::text[], \(r.map(\.deviceID))::text[], \(r.map(\.worker.rawValue))::text[],
                                     \(r.map { Int64($0.limit) })::bigint[])
                """)
        }
    }

    public func workflowTrail(household: RecordID) async throws -> WorkflowTrail {
        try await read("workflowTrail") { c in try await Self.trails([household], c)[household] ?? WorkflowTrail([]) }
    }

    public func liveRecords(_ collection: RecordCollection, villages: [VillageCode]?) async throws -> [RecordState] {
        try await read("liveRecords") { c in
            let query: PostgresQuery = if let villages {
                "SELECT state FROM records WHERE collection = \(Int64(collection.rawValue)) AND NOT is_deleted AND village = ANY(\(villages.map(\.int64))::bigint[]) ORDER BY seq"
            } else {
                "SELECT state FROM records WHERE collection = \(Int64(collection.rawValue)) AND NOT is_deleted ORDER BY seq"
            }
            return try await c.all(query, as: ByteBuffer.self).map { try codec.state($0) }
        }
    }

    public func creationBudgetRefusals(since milliseconds: Int64) async throws -> [CreationBudgetRefusal] {
        try await read("creationBudgetRefusals") { c in
            try await c.rows("""
                SELECT at_ms, day, scope, device, worker, budget FROM creation_budget_refusals WHERE at_ms >= \(milliseconds) ORDER BY id
                """).map { row in
                let (at, day, scope, device, worker, budget) = try row.decode((Int64, Int64, String, String, String, Int64).self)
                return CreationBudgetRefusal(atMilliseconds: at, day: CalendarDate(daysSinceEpoch: Int32(truncatingIfNeeded: day)), scope: scope,
                                             deviceID: device, worker: WorkerID(unchecked: worker), limit: Int(budget))
            }
        }
    }
}
