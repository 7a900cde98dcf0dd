import FieldModel

/// One village of a dataset as planned before any household is drawn.
public struct VillageInfo: Sendable, Hashable {
    public let code: VillageCode
    public let name: String
    public let townshipName: String
    /// A 社区 of an urban 街道: 城市低保 rather than 农村低保.
    public let isUrban: Bool
    public let householdCount: Int
    /// The village's social-assistance assistants: they make every visit and record every lead.
    public let assistants: [WorkerID]
    /// Relative filings to be made against households of this village.
    let plannedFilings: [PlannedFiling]
}

/// One township: its villages and reviewers.
public struct TownshipInfo: Sendable, Hashable {
    public let code: TownshipCode
    public let name: String
    public let isUrban: Bool
    public let villages: [VillageInfo]
    public let reviewers: [WorkerID]
}

/// A filing decided at township level; the village generator picks the household.
struct PlannedFiling: Sendable, Hashable {
    let staff: WorkerID
    let relation: CloseRelation
}

/// The layout of a dataset: townships, villages, household counts and workers.
///
/// Cheap to build (no households), so a writer can emit workers first and then stream villages,
/// and tests can check sizes of a county without generating it.
public struct DatasetPlan: Sendable {
    public let spec: DatasetSpec
    public let county: Yuncheng.County
    public let standards: ReliefStandards
    public let townships: [TownshipInfo]
    public let workers: [Worker]

    public var villages: [VillageInfo] { townships.flatMap(\.villages) }
    public var totalHouseholds: Int { townships.reduce(0) { $0 + $1.villages.reduce(0) { $0 + $1.householdCount } } }

    /// Counties whose seat has urban 街道 with 城市低保 households.
    static let urbanCounties: Set<UInt32> = [140802, 140881, 140882]

    public init(_ spec: DatasetSpec) {
        self.spec = spec
        county = spec.resolvedCounty
        standards = ReliefStandards(county: county.code)
        var g = SeededGenerator(seed: spec.seed, stream: UInt64(county.code.rawValue))

        let villageCount = spec.size.villageCount
        let townshipCount = spec.size.townshipCount
        let hasUrban = DatasetPlan.urbanCounties.contains(county.code.rawValue)
        let urbanTownships = hasUrban ? max(1, townshipCount * 3 / 10) : 0
        let isUrban = { (t: Int) in t < urbanTownships }
        let counts = DatasetPlan.split(spec.size.targetHouseholds, into: villageCount, &g)
        let townshipNames = PlaceNames.townships(count: townshipCount, urban: isUrban, &g)

        var townships: [TownshipInfo] = []
        var workers: [Worker] = []
        var nextVillage = 0
        for t in 0..<townshipCount {
            // Streets are numbered 001…, towns 101… as in the statistical codes.
            let code = county.code.township(isUrban(t) ? t + 1 : 101 + t - urbanTownships)
            let size = min(Size.villagesPerTownship, villageCount - nextVillage)
            let names = PlaceNames.villages(count: size, urban: isUrban(t), &g)
            let reviewers = WorkerRoster.townshipReviewers(code, &g)
            var assistants: [[Worker]] = []
            for v in 0..<size { assistants.append(WorkerRoster.villageAssistants(code.village(v + 1), &g)) }
            let filings = WorkerRoster.plannedFilings(villages: size, assistants: assistants, reviewers: reviewers, &g)
            let villages = (0..<size).map { v in
                VillageInfo(code: code.village(v + 1), name: names[v], townshipName: townshipNames[t],
                            isUrban: isUrban(t), householdCount: counts[nextVillage + v],
                            assistants: assistants[v].map(\.id), plannedFilings: filings[v])
            }
            nextVillage += size
            workers += reviewers + assistants.flatMap { $0 }
            townships.append(TownshipInfo(code: code, name: townshipNames[t], isUrban: isUrban(t),
                                          villages: villages, reviewers: reviewers.map(\.id)))
        }
        workers.insert(WorkerRoster.countyConfirmer(county.code, &g), at: 0)
        self.townships = townships
        self.workers = workers
    }

    private typealias Size = DatasetSpec.Size

    /// Splits `total` households over `parts` villages of uneven size (±40%), summing exactly.
    static func split(_ total: Int, into parts: Int, _ g: inout SeededGenerator) -> [Int] {
        let weights = (0..<parts).map { _ in g.double(in: 0.6...1.4) }
        let sum = weights.reduce(0, +)
        var counts = weights.map { Int(Double(total) * $0 / sum) }
        // Hand out what truncation left over, one each, so the total is exact.
        let leftover = total - counts.reduce(0, +)
        for i in 0..<leftover { counts[i % parts] += 1 }
        return counts
    }
}
