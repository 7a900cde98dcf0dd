import FieldModel
import ServerEngine
import SyncCore

/// What a store shows of some villages: every record's stored bytes, the digests, and the sizes
/// of the logs. Equal views before and after a refused change prove it changed nothing a device,
/// a reviewer or an auditor can see (a refused dot itself is remembered, by design).
struct StoreView: Equatable {
    var records: [RecordID: [UInt8]]
    var digests: [VillageCode: ScopeDigest]
    var auditCount: Int
    var conflictCount: Int

    static func of(_ store: any SyncStore, villages: [VillageCode]) async throws -> StoreView {
        let page = try await store.pull(Dictionary(uniqueKeysWithValues: villages.map { ($0, 0) }), limit: 1_000_000)
        return StoreView(records: Dictionary(uniqueKeysWithValues: page.records.map { ($0.key.id, $0.encoded(includeSupersession: true)) }),
                         digests: page.digests,
                         auditCount: try await store.auditEntries(limit: 1_000_000).count,
                         conflictCount: try await store.conflictLog(limit: 1_000_000).count)
    }
}

/// A plan for store tests that merges every change and acknowledges it, with none of the
/// engine's checks: the store contract is tested apart from the rules.
func mergeEverything(_ input: PushInput) -> @Sendable (PushSnapshot) -> PushPlan {
    { snapshot in
        var states = snapshot.records
        var order: [RecordID] = [], seen = Set<RecordID>()
        var plan = PushPlan()
        for change in input.changes {
            var state = states[change.record.id] ?? RecordState(key: change.record)
            state.apply(change)
            if seen.insert(change.record.id).inserted { order.append(change.record.id) }
            states[change.record.id] = state
            plan.processed.append((change.dot, ProcessedDot(digest: change.contentDigest, verdict: .acknowledged)))
            plan.outcomes.append(PushOutcome(dot: change.dot, status: .applied))
            plan.audit.append(AuditEntry(atMilliseconds: input.nowMilliseconds, worker: change.author, deviceID: "store-test",
                                         dot: change.dot, record: change.record, action: .init(change.operation), outcome: .applied))
        }
        plan.records = order.map { RecordWrite(state: states[$0]!, previous: snapshot.records[$0], now: input.nowMilliseconds) }
        return plan
    }
}

/// Changes from one replica, numbered in order: what store tests push.
struct ChangeMaker {
    let replica: ReplicaID
    var counter: UInt64 = 0
    let author = WorkerID(unchecked: "store-test")

    init(_ replica: UInt64) { self.replica = ReplicaID(replica) }

    mutating func make(_ operation: Change.Operation, _ key: RecordKey, seeing: VersionVector = VersionVector()) -> Change {
        counter += 1
        return Change(dot: Dot(replica, counter), record: key, operation: operation, context: seeing,
                      hlc: HLCTimestamp(milliseconds: Fixture.now, logical: UInt16(truncatingIfNeeded: counter)), author: author)
    }

    mutating func create(_ h: Household) -> Change { make(.create(h.fieldValues), Fixture.key(h)) }

    func input(_ changes: [Change], now: Int64 = Fixture.now) throws -> PushInput {
        try PushInput(replica: replica, changes: changes, staff: author, nowMilliseconds: now)
    }
}

extension SyncStore {
    /// Pushes `changes` merged without checks.
    @discardableResult
    func pushMerged(_ input: PushInput) async throws -> PushResult {
        try await push(input, plan: mergeEverything(input))
    }
}
