import FieldModel
import Foundation
import Replica
import SyncCore
import Synchronization
import SyntheticData

/// Workers, villages, clocks and record factories shared by the replica tests.
enum Fixture {
    static let dataset = DatasetGenerator.generate(DatasetSpec(seed: 20_261_129, size: .households(330)))

    /// Two villages of one township.
    static var villageA: VillageCode { dataset.villages[0].code }
    static var villageB: VillageCode { dataset.villages[1].code }
    static var township: TownshipCode { villageA.township }
    static var county: CountyCode { villageA.county }

    static let msPerDay: Int64 = 86_400_000
    /// 2026-11-30 12:00 China Standard Time: the day after the dataset's `asOf`.
    static let now: Int64 = Int64(CalendarDate(year: 2026, month: 11, day: 30)!.daysSinceEpoch) * msPerDay + 4 * 3_600_000
    static var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now) }

    static let assistant = Worker(id: WorkerID(unchecked: "va-test-1"), name: "李协理", role: .villageAssistant,
                                  assignment: Assignment(villages: [villageA]))
    static let reviewer = Worker(id: WorkerID(unchecked: "tr-test-1"), name: "王审核", role: .townshipReviewer,
                                 assignment: Assignment(townships: [township]))
    static let confirmer = Worker(id: WorkerID(unchecked: "cc-test-1"), name: "赵确认", role: .countyConfirmer,
                                  assignment: Assignment(counties: [county]))
    static let supervisor = Worker(id: WorkerID(unchecked: "cs-test-1"), name: "周督导", role: .citySupervisor,
                                   assignment: Assignment(cities: [villageA.city]))

    static let deviceReplica = ReplicaID(0x7E57_0000_0000_0001)
    static let serverReplica = ReplicaID(0x5E5E_0000_0000_0001)
    static let otherDeviceReplica = ReplicaID(0x7E57_0000_0000_0002)

    static func identity(_ worker: Worker, replica: ReplicaID = deviceReplica) -> DeviceIdentity {
        DeviceIdentity(replica: replica, worker: worker, deviceID: "device-\(worker.id)")
    }

    /// Dataset households of village A (valid, in every workflow status).
    static func seededHouseholds(_ village: VillageCode = villageA) -> [Household] {
        dataset.households.filter { $0.village == village }
    }

    /// A record id no dataset record uses: distinct per `n`.
    static func freshID(_ n: UInt64) -> RecordID { RecordID(high: 0x0193_0000_0000_7000 | n << 16, low: 0x8000_0000_0000_0000 | n) }

    /// A given name for record `n` (names hold no digits).
    static func name(_ n: UInt64) -> String {
        let given = ["建国", "秀英", "桂兰", "志强", "玉梅", "德华", "春花", "国庆", "海燕", "明"]
        return given[Int(n % 10)] + (n >= 10 ? given[Int(n / 10 % 10)] : "")
    }

    static func field(_ collection: RecordCollection, _ name: String) -> FieldID { collection.schema.id(name) }

    /// A new application, as a village assistant registers it.
    static func newHousehold(_ n: UInt64, village: VillageCode = villageA, income: Int64 = 80_000) -> Household {
        Household(id: freshID(n), village: village, headName: "张" + name(n),
                  headIDNumber: IDCardNumber.make(region: village.county, birth: CalendarDate(year: 1970, month: 3, day: 8)!, sequence: Int(n % 1000)),
                  addressDetail: "一组\(n)号", phone: "13800138000", category: .ruralDibao, classification: .stable,
                  status: .applied, monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: income,
                  assetsFen: 500_000, appliedOn: today, coveredSince: nil, lastReviewedOn: nil, notes: "")
    }

    static func newMember(_ n: UInt64, of household: Household, labour: LabourAbility = .none) -> Member {
        Member(id: freshID(n), householdID: household.id, village: household.village, name: "李" + name(n),
               idNumber: IDCardNumber.make(region: household.village.county, birth: CalendarDate(year: 1995, month: 6, day: 1)!, sequence: Int(n % 1000)),
               relation: .child, disabilityKind: .none, disabilityGrade: 0, seriousIllness: false, labourAbility: labour, status: .present)
    }

    static func newVisit(_ n: UInt64, of household: Household, by worker: Worker = assistant, kind: VisitKind = .screening,
                         on date: CalendarDate = today) -> Visit {
        Visit(id: freshID(n), householdID: household.id, village: household.village, kind: kind, worker: worker.id, date: date,
              monthlyIncomeFen: 70_000, assetsFen: 400_000, livingCondition: .difficult, recommendation: .none, notes: "走访\(n)")
    }

    static func newLead(_ n: UInt64, village: VillageCode = villageA, by worker: Worker = assistant) -> DiscoveryLead {
        DiscoveryLead(id: freshID(n), village: village, recordedBy: worker.id, foundBy: "网格员", personName: "王" + name(n),
                      addressDetail: "三组", difficulty: .elderly, description: "独居老人", reportedOn: today, followUpStatus: .open)
    }
}

/// A wall clock the test moves by hand.
final class TestClock: Sendable {
    private let ms: Mutex<Int64>
    init(_ start: Int64 = Fixture.now) { ms = Mutex(start) }
    var milliseconds: Int64 { ms.withLock { $0 } }
    func advance(by delta: Int64) { ms.withLock { $0 += delta } }
    var wallClock: @Sendable () -> Int64 { { self.milliseconds } }
}

/// A unique directory under `NSTemporaryDirectory()` for one test's SQLite files.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = #function) throws {
        let safe = label.filter { $0.isLetter || $0.isNumber }.prefix(40)
        path = NSTemporaryDirectory() + "doorstep-replica-\(safe)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A replica file for one test, reopened on demand as an app restart would.
final class ReplicaHarness {
    let directory: TemporaryDirectory
    let clock: TestClock
    let identity: DeviceIdentity
    private(set) var replica: Replica

    init(_ worker: Worker = Fixture.assistant, clock: TestClock = TestClock(), label: String = #function) throws {
        directory = try TemporaryDirectory(label)
        self.clock = clock
        identity = Fixture.identity(worker)
        replica = try Replica(path: directory.file("device.sqlite"), identity: identity, wallClock: clock.wallClock)
    }

    var path: String { directory.file("device.sqlite") }

    /// Closes the file and opens it again: what survives is what was committed.
    func reopen() throws {
        try replica.close()
        replica = try Replica(path: path, identity: identity, wallClock: clock.wallClock)
    }

    func finish() {
        try? replica.close()
        directory.remove()
    }
}

/// What a worker and the sync layer can observe of a replica: equal before and after a refused
/// write proves the write changed nothing.
struct ReplicaSnapshot: Equatable {
    var outbox: [Change]
    var counter: UInt64
    var views: [RecordState]
    var confirmed: [RecordState]

    static func of(_ replica: Replica, villages: [VillageCode] = [Fixture.villageA, Fixture.villageB]) throws -> ReplicaSnapshot {
        ReplicaSnapshot(outbox: try replica.outboxChanges(), counter: try replica.lastCounter(),
                        views: try villages.flatMap { try replica.viewStates(in: $0) },
                        confirmed: try villages.flatMap { try replica.confirmedStates(in: $0) })
    }
}

/// The error a write threw, or nil when it succeeded.
func refusal<T>(_ body: () throws(ReplicaError) -> T) -> ReplicaError? {
    do { _ = try body(); return nil } catch { return error }
}
