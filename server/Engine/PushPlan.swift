import FieldModel
import SyncCore

/// What a push decided: the outcome of every change and every row to write. Pure data, made
/// by the engine's planner from a `PushSnapshot`; a store writes it as it is.
public struct PushPlan: Sendable {
    /// One per change of the batch, in order.
    public var outcomes: [PushOutcome]
    /// The final state of every record the batch changed, in order of first change. Each takes
    /// a fresh sequence number.
    public var records: [RecordWrite]
    /// Dots processed for the first time (acknowledged or rejected).
    public var processed: [(dot: Dot, processed: ProcessedDot)]
    /// Relative filings of a worker created by the batch, for the recusal index.
    public var filings: [RelativeFiling]
    /// Filings an administrator withdrew in the batch: out of the recusal index.
    public var withdrawnFilings: [RecordID]
    public var audit: [AuditEntry]
    public var conflicts: [ConflictLogEntry]
    /// Every status write the batch applied, for the workflow trail.
    public var trail: [WorkflowTrailStep]
    /// Households the batch created, per scope, to add to the day's creation counters.
    public var creations: CreationCounts?
    /// Creates refused for the budget, for ops.
    public var budgetRefusals: [CreationBudgetRefusal]

    public init(outcomes: [PushOutcome] = [], records: [RecordWrite] = [], processed: [(dot: Dot, processed: ProcessedDot)] = [],
                filings: [RelativeFiling] = [], withdrawnFilings: [RecordID] = [], audit: [AuditEntry] = [], conflicts: [ConflictLogEntry] = [],
                trail: [WorkflowTrailStep] = [], creations: CreationCounts? = nil, budgetRefusals: [CreationBudgetRefusal] = []) {
        self.outcomes = outcomes
        self.records = records
        self.processed = processed
        self.filings = filings
        self.withdrawnFilings = withdrawnFilings
        self.audit = audit
        self.conflicts = conflicts
        self.trail = trail
        self.creations = creations
        self.budgetRefusals = budgetRefusals
    }

    /// The new filings with the worker each binds: the rows of the recusal index.
    public var indexedFilings: [(filing: RelativeFiling, staff: WorkerID)] {
        filings.compactMap { f in f.staff.map { (f, $0) } }
    }

    /// The highest counter processed per replica, to raise the stored one.
    public var highestCounters: [ReplicaID: UInt64] {
        processed.reduce(into: [:]) { top, p in top[p.dot.replica] = max(top[p.dot.replica] ?? 0, p.dot.counter) }
    }
}

/// A record's new state, with what the store indexes and how the village digest changes.
///
/// Deleted records contribute nothing to a village digest, so purging them later leaves every
/// digest as it was.
public struct RecordWrite: Sendable {
    public let state: RecordState
    /// The digest of the state (also for a deleted one).
    public let digest: Digest128
    /// What the record added to its village digest before this write (nil: new or deleted).
    public let previousContribution: Digest128?
    /// What it adds now (nil: deleted).
    public let contribution: Digest128?
    /// When the record became deleted, for the tombstone horizon; nil when it is not deleted.
    /// A store keeps an earlier time when the record was already deleted.
    public let deletedAtMilliseconds: Int64?
    public let householdID: RecordID?
    /// The ID numbers the record holds differ from the stored state's (always, for a new record):
    /// only then does a store rewrite its person index. An income review leaves them as they were.
    public let idNumbersChanged: Bool

    /// The write that replaces `previous` (the stored state, nil for a new record) by `state`
    /// at server time `now`. `previousDigest`: the digest stored with `previous`, when the store
    /// keeps one (else it is computed from `previous`).
    public init(state: RecordState, previous: RecordState?, previousDigest: Digest128? = nil, now: Int64) {
        self.idNumbersChanged = previous.map { PersonIndex.idNumbers(of: $0) != PersonIndex.idNumbers(of: state) } ?? true
        self.state = state
        self.digest = state.digest
        self.previousContribution = previous.flatMap { $0.isDeleted ? nil : previousDigest ?? $0.digest }
        self.contribution = state.isDeleted ? nil : digest
        self.deletedAtMilliseconds = state.isDeleted ? now : nil
        self.householdID = RecordLinks.household(of: state)
    }

    public var isDeleted: Bool { contribution == nil }
    public var needsReview: Bool { state.needsReview }
}

/// What a store reports after writing a plan.
public struct PushResult: Sendable {
    public let outcomes: [PushOutcome]
    public let recordsWritten: Int
    /// The store's highest committed sequence after the push.
    public let lastSequence: UInt64

    public init(outcomes: [PushOutcome], recordsWritten: Int, lastSequence: UInt64) {
        self.outcomes = outcomes
        self.recordsWritten = recordsWritten
        self.lastSequence = lastSequence
    }
}
