import FieldModel
import SyncCore

/// A batch of changes from one replica, as a store needs it to read the push snapshot.
public struct PushInput: Sendable {
    /// The sender: every change's dot is this replica's.
    public let replica: ReplicaID
    /// Oldest first.
    public let changes: [Change]
    /// The worker the changes are written as; the snapshot carries this worker's relative filings.
    public let staff: WorkerID
    /// The server's clock when the push arrived, ms since the epoch.
    public let nowMilliseconds: Int64
    /// The sending device (its credential id), whose creations are counted against its budget.
    public let deviceID: String
    /// Whether the batch's household creates count against the creation budget: a worker's
    /// device's do, an administrator's import does not.
    public let countsCreations: Bool

    /// Fails with `replica_mismatch` when a change's dot belongs to another replica: a batch
    /// carries only the sender's own writes, so processed dots are looked up per sender.
    public init(replica: ReplicaID, changes: [Change], staff: WorkerID, nowMilliseconds: Int64, deviceID: String = "",
                countsCreations: Bool = false) throws(SyncEngineError) {
        if let foreign = changes.first(where: { $0.dot.replica != replica }) {
            throw SyncEngineError(.replicaMismatch,
                                  "change \(foreign.dot) in a batch from replica \(replica) carries another replica's dot")
        }
        self.replica = replica
        self.changes = changes
        self.staff = staff
        self.nowMilliseconds = nowMilliseconds
        self.deviceID = deviceID
        self.countsCreations = countsCreations
    }

    /// Today in China Standard Time: the date values are validated against.
    public var today: CalendarDate { .chinaStandard(millisecondsSinceEpoch: nowMilliseconds) }

    /// Every record id the batch touches, in order of first touch.
    public var touchedRecords: [RecordID] {
        var seen = Set<RecordID>()
        return changes.compactMap { seen.insert($0.record.id).inserted ? $0.record.id : nil }
    }

    /// Households whose status the batch transitions: their workflow trails are read.
    public var transitionedHouseholds: [RecordID] {
        var seen = Set<RecordID>()
        return changes.compactMap { change in
            guard change.record.collection == .household, case .transition = change.operation, seen.insert(change.record.id).inserted else { return nil }
            return change.record.id
        }
    }

    /// Villages of the households the batch transitions: their public notices are read (the gates).
    public var noticeVillages: [VillageCode] {
        Array(Set(changes.compactMap { change -> VillageCode? in
            guard change.record.collection == .household, case .transition = change.operation else { return nil }
            return change.record.scope
        })).sorted()
    }

    /// The scopes whose creation counters the batch's household creates are held to: the
    /// device and each village it creates households in. Empty without such a create, or when
    /// the batch's creates are not counted.
    public var creationScopes: [CreationScope] {
        guard countsCreations else { return [] }
        let villages = Set(changes.compactMap { change -> VillageCode? in
            guard change.record.collection == .household, case .create = change.operation else { return nil }
            return change.record.scope
        })
        guard !villages.isEmpty else { return [] }
        return [.device(deviceID)] + villages.sorted().map(CreationScope.village)
    }

    /// The batch's counters (all of `replica`).
    public var counters: [UInt64] { changes.map(\.dot.counter) }

    /// Records the batch refers to: households named by its creates of members, visits, filings,
    /// notices and attachments, or by the stored states (`stored`) of the records it touches, and
    /// the visit, member or lead an attachment's create names.
    public func referencedRecords(stored: some Sequence<RecordState>) -> Set<RecordID> {
        var out = Set<RecordID>()
        for change in changes {
            guard case .create(let values) = change.operation else { continue }
            if let id = RecordLinks.household(in: values, of: change.record.collection) { out.insert(id) }
            out.formUnion(RecordLinks.listedHouseholds(in: values, of: change.record.collection))
            out.formUnion(RecordLinks.attachmentParents(in: values, of: change.record.collection))
        }
        for state in stored {
            if let id = RecordLinks.household(of: state) { out.insert(id) }
        }
        return out
    }
}

/// Everything a push plan reads, taken inside the push's transaction.
public struct PushSnapshot: Sendable {
    /// The stored states of the records the batch touches, and of the households they refer
    /// to, by record id. A record the store does not hold is absent.
    public var records: [RecordID: RecordState]
    /// For each of the batch's dots processed before: what was decided then.
    public var processed: [Dot: ProcessedDot]
    /// The sender's highest processed counter, 0 when none.
    public var highestProcessedCounter: UInt64
    /// The standing relative filings of `PushInput.staff`.
    public var filings: [RelativeFiling]
    public var today: CalendarDate
    /// The workflow trails of `PushInput.transitionedHouseholds`, in the order the server
    /// accepted their steps; a household stored before trails were kept has none.
    public var trails: [RecordID: WorkflowTrail]
    /// The public notices of `PushInput.noticeVillages`.
    public var notices: [VillageCode: [RecordState]]
    /// Today's creation counters of `PushInput.creationScopes`.
    public var creations: CreationCounts
    /// The digest stored with each of `records` (what the record added to its village digest
    /// when it was written), where the store keeps one: the plan then need not encode and hash
    /// the stored state again. A record absent here has its digest computed from its state.
    public var storedDigests: [RecordID: Digest128]

    public init(records: [RecordID: RecordState], processed: [Dot: ProcessedDot], highestProcessedCounter: UInt64,
                filings: [RelativeFiling], today: CalendarDate, trails: [RecordID: WorkflowTrail] = [:],
                notices: [VillageCode: [RecordState]] = [:], creations: CreationCounts? = nil, storedDigests: [RecordID: Digest128] = [:]) {
        self.records = records
        self.storedDigests = storedDigests
        self.processed = processed
        self.highestProcessedCounter = highestProcessedCounter
        self.filings = filings
        self.today = today
        self.trails = trails
        self.notices = notices
        self.creations = creations ?? CreationCounts(day: today)
    }
}

/// What the server decided about a dot the first time it saw it, kept so that a re-sent dot gets
/// the same answer (exactly once) and a reused one is caught by its content digest.
public struct ProcessedDot: Sendable, Hashable {
    public let digest: Digest128
    public let verdict: Verdict

    public enum Verdict: Sendable, Hashable {
        case acknowledged
        case rejected(RejectionReason, String)
    }

    public init(digest: Digest128, verdict: Verdict) {
        self.digest = digest
        self.verdict = verdict
    }
}
