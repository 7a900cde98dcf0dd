import FieldModel
import Foundation
import ServerEngine
import SyncCore
import Synchronization
import SyntheticData

/// Seeded records and workers for the end-to-end tests: two villages of one township.
enum Fixture {
    static let dataset = DatasetGenerator.generate(DatasetSpec(seed: 20_261_129, size: .households(330)))

    static var villageA: VillageCode { dataset.villages[0].code }
    static var villageB: VillageCode { dataset.villages[1].code }

    static let msPerDay: Int64 = 86_400_000
    /// 2026-11-30 12:00 China Standard Time: the day after the dataset's `asOf`.
    static let now: Int64 = Int64(CalendarDate(year: 2026, month: 11, day: 30)!.daysSinceEpoch) * msPerDay + 4 * 3_600_000
    static var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now) }

    static let serverReplica = ReplicaID(0x5E5E_0000_0000_0001)
    static let admin = WorkerID(unchecked: "admin-1")

    static func worker(_ id: WorkerID) -> Worker { dataset.workers.first { $0.id == id }! }
    /// The first village assistant of village A.
    static var assistant: Worker { worker(dataset.villages[0].assistants[0]) }
    /// A township reviewer of village A's township.
    static var reviewer: Worker {
        dataset.workers.first { $0.role == .townshipReviewer && $0.assignment.townships.contains(villageA.township) }!
    }

    /// The first `count` households of `village`.
    static func households(_ village: VillageCode, count: Int = 10) -> [Household] {
        Array(dataset.households.filter { $0.village == village }.prefix(count))
    }

    /// Those households and their members, as the roster import creates them.
    static func seed(_ village: VillageCode, households count: Int = 10) -> [ImportRecord] {
        let households = households(village, count: count)
        let ids = Set(households.map(\.id))
        return households.map(ImportRecord.init) + dataset.members.filter { ids.contains($0.householdID) }.map(ImportRecord.init)
    }

    /// A new application in `village`, as a field worker enters it (its creator may delete it
    /// while it stays untouched).
    static func application(_ n: UInt64, in village: VillageCode) -> Household {
        households(village, count: 1)[0].asNewApplication(id: freshID(n), on: today)
    }

    static func replicaID(_ n: UInt64) -> ReplicaID { ReplicaID(0x7E57_0000_0000_0000 | n) }

    /// A record id no dataset record uses.
    static func freshID(_ n: UInt64) -> RecordID { RecordID(high: 0x0193_0000_0000_7000 | n << 16, low: 0x8000_0000_0000_0000 | n) }

    static func visit(_ n: UInt64, at household: Household, by worker: Worker, kind: VisitKind = .screening, on date: CalendarDate) -> Visit {
        Visit(id: freshID(n), householdID: household.id, village: household.village, kind: kind, worker: worker.id, date: date,
              monthlyIncomeFen: 70_000, assetsFen: 400_000, livingCondition: .difficult, recommendation: .none, notes: "走访\(n)")
    }

    static func member(_ n: UInt64, of household: Household) -> Member {
        Member(id: freshID(n), householdID: household.id, village: household.village, name: "新成员" + ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"][Int(n % 10)],
               idNumber: IDCardNumber.make(region: household.village.county, birth: CalendarDate(year: 2001, month: 2, day: 3)!, sequence: Int(n % 1000)),
               relation: .child, disabilityKind: .none, disabilityGrade: 0, seriousIllness: false, labourAbility: .none, status: .present)
    }
}

/// Simulated time shared by the server and the devices.
final class TestClock: Sendable {
    private let ms: Mutex<Int64>
    init(_ start: Int64 = Fixture.now) { ms = Mutex(start) }
    var milliseconds: Int64 { ms.withLock { $0 } }
    func advance(by delta: Int64) { ms.withLock { $0 += delta } }
}

/// A unique directory under `NSTemporaryDirectory()` for one test's SQLite files.
struct TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String) throws {
        let safe = label.filter { $0.isLetter || $0.isNumber }.prefix(40)
        path = NSTemporaryDirectory() + "doorstep-sync-\(safe)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
