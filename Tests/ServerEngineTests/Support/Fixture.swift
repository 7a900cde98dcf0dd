import FieldModel
import ServerEngine
import SyncCore
import SyntheticData

/// Seeded records and workers: two villages of one township from SyntheticData.
enum Fixture {
    static let dataset = DatasetGenerator.generate(DatasetSpec(seed: 20_261_129, size: .households(330)))

    static var villageA: VillageCode { dataset.villages[0].code }
    static var villageB: VillageCode { dataset.villages[1].code }
    /// A village of the same county that no record or assignment mentions.
    static var villageElsewhere: VillageCode { dataset.villages[0].code.county.township(199).village(1) }

    static let serverReplica = ReplicaID(0x5E5E_0000_0000_0001)
    static let admin = WorkerID(unchecked: "admin-1")
    static let msPerDay: Int64 = 86_400_000
    /// 2026-11-30 12:00 China Standard Time: the day after the dataset's `asOf`.
    static let now: Int64 = Int64(CalendarDate(year: 2026, month: 11, day: 30)!.daysSinceEpoch) * msPerDay + 4 * 3_600_000

    /// The server's today at `now`, China Standard Time.
    static var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now) }

    static func worker(_ id: WorkerID) -> Worker { dataset.workers.first { $0.id == id }! }
    static func assistant(of village: VillageCode) -> Worker {
        worker(dataset.villages.first { $0.code == village }!.assistants[0])
    }
    static var reviewer: Worker { dataset.workers.first { $0.role == .townshipReviewer }! }
    static var countyConfirmer: Worker { dataset.workers.first { $0.role == .countyConfirmer }! }

    static func households(in village: VillageCode) -> [Household] { dataset.households.filter { $0.village == village } }
    static func household(in village: VillageCode, _ index: Int = 0) -> Household { households(in: village)[index] }
    static func key(_ h: Household) -> RecordKey { RecordKey(.household, h.id, scope: h.village) }

    /// A new application in `village`, as a field worker enters it: at `applied`, with nothing
    /// only a reviewer sets. Its creator may delete it while it stays an untouched application.
    static func application(in village: VillageCode, _ n: UInt64) -> Household {
        household(in: village).asNewApplication(id: freshID(n), on: today)
    }

    /// Households, members and visits of `village` (no filings: tests add their own).
    static func seed(_ village: VillageCode) -> [ImportRecord] {
        households(in: village).map(ImportRecord.init)
            + dataset.members.filter { $0.village == village }.map(ImportRecord.init)
            + dataset.visits.filter { $0.village == village }.map(ImportRecord.init)
    }

    /// Imports `seed` for each village and returns how many records it created.
    @discardableResult
    static func seed(_ engine: SyncEngine, _ villages: VillageCode...) async throws -> Int {
        let result = try await engine.importRecords(villages.flatMap(seed), by: admin, now: now)
        precondition(result.rejected.isEmpty, "seed import refused \(result.rejected.prefix(3))")
        return result.created
    }

    static func field(_ collection: RecordCollection, _ name: String) -> FieldID { collection.schema.id(name) }

    /// A record id no fixture uses.
    static func freshID(_ n: UInt64) -> RecordID { RecordID(high: 0x0193_0000_0000_7000 | n, low: 0x8000_0000_0000_0000 | n) }
}
