import FieldModel
import SyncCore

/// The records and fields the example-based tests write to.
enum Fixture {
    /// 运城市盐湖区 — a valid 12-digit village code, so decoding accepts it.
    static let village = VillageCode(uncheckedRawValue: 140_802_101_001)
    static let otherVillage = VillageCode(uncheckedRawValue: 140_802_101_002)

    static func id(_ n: UInt64) -> RecordID { RecordID(high: 0x0190_0000_0000_7000 | n, low: 0x8000_0000_0000_0000 | n) }
    static func key(_ collection: RecordCollection, _ n: UInt64, in village: VillageCode = village) -> RecordKey {
        RecordKey(collection, id(n), scope: village)
    }

    static let household = key(.household, 1)
    static let member = key(.member, 2)
    static let visit = key(.visit, 3)

    /// A wall-clock instant in 2024, in milliseconds.
    static let noon: Int64 = 1_718_000_000_000
    static let year: Int64 = 365 * 86_400_000

    static func hlc(_ ms: Int64, _ logical: UInt16 = 0) -> HLCTimestamp { HLCTimestamp(milliseconds: ms, logical: logical) }

    static func householdCreate() -> Change.Operation {
        .create([
            Household.Field.headName.id: .text("王秀英"),
            Household.Field.category.id: .text(HouseholdCategory.ruralDibao.rawValue),
            Household.Field.status.id: .text(WorkflowStatus.applied.rawValue),
            Household.Field.monthlyIncomeFen.id: .int(30_000),
            Household.Field.appliedOn.id: .date(CalendarDate(daysSinceEpoch: 19_800)),
            Household.Field.notes.id: .text(""),
        ])
    }

    static func memberCreate(of household: RecordKey = household) -> Change.Operation {
        .create([
            Member.Field.householdID.id: .id(household.id),
            Member.Field.name.id: .text("李建国"),
            Member.Field.disabilityGrade.id: .int(0),
            Member.Field.status.id: .text(MemberStatus.present.rawValue),
        ])
    }

    static func visitCreate(of household: RecordKey = household, by worker: WorkerID) -> Change.Operation {
        .create([
            Visit.Field.householdID.id: .id(household.id),
            Visit.Field.kind.id: .text(VisitKind.applicationInvestigation.rawValue),
            Visit.Field.worker.id: .text(worker.rawValue),
            Visit.Field.date.id: .date(CalendarDate(daysSinceEpoch: 19_801)),
            Visit.Field.monthlyIncomeFen.id: .int(28_000),
        ])
    }
}

/// A replica making changes by hand: it numbers its writes, nothing more. What it has seen is
/// whatever context the test passes, so a test states causality explicitly.
struct Writer {
    let replica: ReplicaID
    let author: WorkerID
    private(set) var counter: UInt64 = 0

    init(_ replica: UInt64, _ author: String) {
        self.replica = ReplicaID(replica)
        self.author = WorkerID(unchecked: author)
    }

    /// The next write. `hlc` defaults to a reading that grows with the counter.
    mutating func write(_ operation: Change.Operation, to key: RecordKey, seeing context: VersionVector = VersionVector(),
                        at hlc: HLCTimestamp? = nil) -> Change {
        counter += 1
        return Change(dot: Dot(replica, counter), record: key, operation: operation, context: context,
                      hlc: hlc ?? Fixture.hlc(Fixture.noon + Int64(counter) * 1000), author: author)
    }
}

extension VersionVector {
    /// The vector that has seen exactly `changes` and what they saw.
    static func seeing(_ changes: Change...) -> VersionVector {
        changes.reduce(into: VersionVector()) { vv, c in vv.merge(c.context); vv.add(c.dot) }
    }
}

extension MergeResult {
    var refusal: Refusal.Code? { if case .refused(let r) = outcome { r.code } else { nil } }
}

/// Applies `changes` in order to fresh states, one per record.
func replay(_ changes: some Sequence<Change>, inspect: (RecordState) -> Void = { _ in }) -> [RecordKey: RecordState] {
    var states: [RecordKey: RecordState] = [:]
    for c in changes {
        states[c.record, default: RecordState(key: c.record)].apply(c)
        inspect(states[c.record]!)
    }
    return states
}
