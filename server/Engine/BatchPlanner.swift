import FieldModel
import SyncCore

/// Who a batch is written as, which decides the checks it goes through.
enum Authority: Sendable {
    /// A worker's device (or the server acting for a reviewer): every check.
    case worker(Worker)
    /// An administrator's import: values are validated, role, scope and recusal are not asked
    /// (an administrator writes no household data of their own; they load the roster).
    case administrator(WorkerID)

    var workerID: WorkerID {
        switch self {
        case .worker(let w): w.id
        case .administrator(let id): id
        }
    }
}

/// Decides a push: turns a batch and the snapshot read for it into a `PushPlan`. Pure and
/// synchronous, so it runs inside the store's transaction, and every backend gets the same rules.
struct BatchPlanner: Sendable {
    let input: PushInput
    let authority: Authority
    let deviceID: String
    /// The server's own replica: its counters are allocated under the store's lock, so they
    /// cannot regress and are not checked for it (two server writes may commit out of order).
    let serverReplica: ReplicaID
    let clockAheadTolerance: Int64
    let settings: PolicySettings
    let budget: CreationBudget

    func plan(_ snapshot: PushSnapshot) -> PushPlan {
        var run = BatchRun(planner: self, snapshot: snapshot)
        for change in input.changes { run.process(change) }
        return run.finish()
    }
}

/// A refusal of one change by one of the checks, with its stable reason.
struct ChangeRejection: Error {
    let reason: RejectionReason
    let message: String

    init(_ reason: RejectionReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}

/// The state of one batch while it is planned: later changes see earlier ones' effects.
struct BatchRun {
    let planner: BatchPlanner
    let snapshot: PushSnapshot
    var states: [RecordID: RecordState]
    var processed: [Dot: ProcessedDot]
    var highestCounter: UInt64
    /// The author's standing filings: stored ones plus those this batch created, less those it withdrew.
    var filings: [RelativeFiling]
    /// Workflow trails of the households the batch transitions, with the steps it applied.
    var trails: [RecordID: WorkflowTrail]
    /// Public notices by village: the snapshot's, and those the batch wrote.
    var notices: [VillageCode: [RecordID: RecordState]]
    var creations: CreationCounts
    var changedOrder: [RecordID] = []
    var changed = Set<RecordID>()
    var plan = PushPlan()

    init(planner: BatchPlanner, snapshot: PushSnapshot) {
        self.planner = planner
        self.snapshot = snapshot
        self.states = snapshot.records
        self.processed = snapshot.processed
        self.highestCounter = snapshot.highestProcessedCounter
        self.filings = snapshot.filings
        self.trails = snapshot.trails
        self.notices = snapshot.notices.mapValues { Dictionary($0.map { ($0.key.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        self.creations = snapshot.creations
    }

    var now: Int64 { planner.input.nowMilliseconds }
    var today: CalendarDate { snapshot.today }

    /// Decides one change and records the outcome (and, the first time a dot is seen, its verdict).
    mutating func process(_ change: Change) {
        let digest = change.contentDigest
        if let seen = processed[change.dot] {
            plan.outcomes.append(PushOutcome(dot: change.dot, status: Self.repeated(seen, digest: digest, change)))
            return
        }
        let status: PushOutcome.Status
        do throws(ChangeRejection) {
            try checkCounter(change)
            let stored = states[change.record.id]
            try check(change, stored: stored)
            status = try apply(change, to: stored)
        } catch {
            status = .rejected(error.reason, error.message)
        }
        let verdict: ProcessedDot.Verdict = if case .rejected(let r, let m) = status { .rejected(r, m) } else { .acknowledged }
        let record = ProcessedDot(digest: digest, verdict: verdict)
        processed[change.dot] = record
        plan.processed.append((change.dot, record))
        highestCounter = max(highestCounter, change.dot.counter)
        plan.outcomes.append(PushOutcome(dot: change.dot, status: status))
    }

    /// A dot seen before: the same content gets the same answer; other content is a reused dot.
    static func repeated(_ seen: ProcessedDot, digest: Digest128, _ change: Change) -> PushOutcome.Status {
        guard seen.digest == digest else {
            return .rejected(.dotReused, "\(change.dot) was processed before with different content (now \(Self.withoutValues(change)))")
        }
        switch seen.verdict {
        case .acknowledged: return .replayed
        case .rejected(let reason, let message): return .rejected(reason, message)
        }
    }

    /// What a change does, without any value it carries: messages are stored and sent back,
    /// and a value may be an ID number or an income (SPEC §11.6).
    static func withoutValues(_ c: Change) -> String {
        let what = switch c.operation {
        case .create(let values): "a create of \(values.count) fields"
        case .set(let field, _): "a set of field \(field)"
        case .transition(let field, _, _): "a transition of field \(field)"
        case .delete: "a delete"
        }
        return "\(what) of \(c.record) by \(c.author)"
    }

    /// Merges an accepted change into its record and logs it.
    mutating func apply(_ change: Change, to stored: RecordState?) throws(ChangeRejection) -> PushOutcome.Status {
        var state = stored ?? RecordState(key: change.record)
        let result = state.apply(change)
        let outcome: AuditEntry.Outcome
        switch result.outcome {
        case .refused(let refusal): throw ChangeRejection(RejectionReason(refusal.code), refusal.message)
        case .duplicate: return .replayed
        case .applied: outcome = .applied
        case .superseded: outcome = .superseded
        }
        if outcome == .applied { try spendCreationBudget(change) }
        let id = change.record.id
        states[id] = state
        if changed.insert(id).inserted { changedOrder.append(id) }
        plan.audit.append(AuditEntry(atMilliseconds: now, worker: planner.authority.workerID, deviceID: planner.deviceID,
                                     dot: change.dot, record: change.record, action: AuditEntry.Action(change.operation),
                                     outcome: outcome))
        plan.conflicts += ConflictLogEntry.entries(for: result.events, of: change, at: now)
        recordTrail(change, previous: stored)
        if change.record.collection == .publicNotice { notices[change.record.scope, default: [:]][id] = state }
        if change.record.collection == .relativeFiling { indexFiling(change, state) }
        return outcome == .applied ? .applied : .superseded
    }

    /// Adds a status write to its household's trail. A household stored before trails were kept
    /// gets its reconstructed trail written first, so the stored trail is whole from then on.
    mutating func recordTrail(_ change: Change, previous: RecordState?) {
        guard let step = WorkflowTrailStep.of(change, at: now) else { return }
        var trail = trails[step.household] ?? WorkflowTrail([])
        if trail.isEmpty, let previous {
            trail = WorkflowTrail.reconstructed(from: previous)
            plan.trail += trail.steps
        }
        trail.append(step)
        trails[step.household] = trail
        plan.trail.append(step)
    }

    /// Keeps the recusal index: a worker's new filing binds at once, a withdrawal releases.
    mutating func indexFiling(_ change: Change, _ state: RecordState) {
        guard let filing = try? RelativeFiling(id: change.record.id, village: change.record.scope, fields: state.values) else { return }
        switch change.operation {
        case .create:
            guard filing.staff != nil, filing.isStanding else { return }
            plan.filings.append(filing)
            if filing.staff == planner.input.staff { filings.append(filing) }
        case .set:
            guard !filing.isStanding else { return }
            plan.withdrawnFilings.append(filing.id)
            filings.removeAll { $0.id == filing.id }
        case .transition, .delete:
            break
        }
    }

    /// The plan with every changed record's final state.
    mutating func finish() -> PushPlan {
        plan.records = changedOrder.map { id in
            RecordWrite(state: states[id]!, previous: snapshot.records[id], previousDigest: snapshot.storedDigests[id], now: now)
        }
        return plan
    }
}

/// How a push treats its refused changes.
enum PushMode: Sendable {
    /// Each change is applied or rejected on its own (a device's batch, SPEC §6).
    case apply
    /// Any refused change writes nothing and throws `ImportRefused` (an import).
    case allOrNothing
    /// Nothing is written: the plan's outcomes are thrown as a `Rehearsal`.
    case rehearse
}

/// The outcomes of a rehearsed push, thrown out of its transaction so that nothing is written.
struct Rehearsal: Error {
    let outcomes: [PushOutcome]
}
