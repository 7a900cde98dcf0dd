import FieldModel
import ServerEngine
import SyntheticData

/// Seeded villages across two townships of one county, a few households each with every kind of
/// record the data has (members, visits, leads, filings, notices): small enough to seed per test,
/// wide enough for scope to matter.
enum ScopeFixture {
    /// Records per village: the first households of the generated village, and what refers to them.
    static let householdsPerVillage = 4

    /// Villages 1 and 2 of the first township, 1 and 2 of the second (a dataset of 32 villages).
    static let villages: [VillageData] = {
        var all: [VillageData] = []
        DatasetGenerator.forEachVillage(DatasetSpec(seed: 20_261_130, size: .households(5_200))) { all.append(trimmed($0)) }
        let townships = Array(Set(all.map(\.village.code.township))).sorted()
        precondition(townships.count >= 2, "the scope fixture needs two townships")
        return townships.prefix(2).flatMap { t in all.filter { $0.village.code.township == t }.prefix(2) }
    }()

    static var codes: [VillageCode] { villages.map(\.village.code) }

    static func village(_ code: VillageCode) -> VillageData { villages.first { $0.village.code == code }! }

    /// Every record of the village's first households, as the county's existing data.
    static func records(in code: VillageCode) -> [ImportRecord] {
        let v = village(code)
        return v.households.map(ImportRecord.init) + v.members.map(ImportRecord.init) + v.visits.map(ImportRecord.init)
            + v.leads.map(ImportRecord.init) + v.filings.map(ImportRecord.init) + v.notices.map(ImportRecord.init)
    }

    static func trimmed(_ v: VillageData) -> VillageData {
        var out = VillageData(village: v.village)
        out.households = Array(v.households.prefix(householdsPerVillage))
        let kept = Set(out.households.map(\.id))
        out.members = v.members.filter { kept.contains($0.householdID) }
        out.visits = v.visits.filter { kept.contains($0.householdID) }
        out.filings = v.filings.filter { kept.contains($0.household) }
        out.notices = v.notices.compactMap { notice in
            var n = notice
            n.households = n.households.filter(kept.contains)
            return n.households.isEmpty ? nil : n
        }
        out.leads = Array(v.leads.prefix(2))
        return out
    }

    static func assistant(_ code: VillageCode, _ n: Int = 1) -> Worker {
        Worker(id: WorkerID(unchecked: "va-\(code)-\(n)"), name: "协理员", role: .villageAssistant, assignment: Assignment(villages: [code]))
    }

    static func reviewer(_ township: TownshipCode) -> Worker {
        Worker(id: WorkerID(unchecked: "tr-\(township)"), name: "审核员", role: .townshipReviewer, assignment: Assignment(townships: [township]))
    }
}
