import FieldModel
import Testing
@testable import SyntheticData

@Suite("Determinism")
struct DeterminismTests {
    @Test("One seed twice gives identical bytes")
    func sameSeed() {
        let spec = DatasetSpec(seed: 7, size: .households(600), county: Fixtures.linyi)
        let a = DatasetGenerator.generate(spec).jsonLines
        let b = DatasetGenerator.generate(spec).jsonLines
        #expect(!a.isEmpty)
        #expect(a == b)
    }

    @Test("Another seed, county or reference date gives different output")
    func differentSpecs() {
        let base = DatasetSpec(seed: 7, size: .village, county: Fixtures.linyi)
        let a = DatasetGenerator.generate(base).jsonLines
        var other = base
        other.seed = 8
        #expect(DatasetGenerator.generate(other).jsonLines != a)
        other = base
        other.county = Fixtures.yanhu
        #expect(DatasetGenerator.generate(other).jsonLines != a)
        other = base
        other.asOf = Fixtures.asOf.adding(days: -1)
        #expect(DatasetGenerator.generate(other).jsonLines != a)
    }

    @Test("Streaming gives the same records as generating in memory")
    func streamingMatches() {
        let spec = DatasetSpec(seed: 5, size: .households(500), county: Fixtures.linyi)
        var streamed: [Household] = []
        var visits = 0
        DatasetGenerator.forEachVillage(spec) { v in
            streamed += v.households
            visits += v.visits.count
        }
        let whole = DatasetGenerator.generate(spec)
        #expect(streamed == whole.households)
        #expect(visits == whole.visits.count)
    }

    @Test("Everything is dated from the reference date, not the clock")
    func datedFromAsOf() {
        let asOf = CalendarDate(year: 2024, month: 3, day: 1)!
        let d = DatasetGenerator.generate(DatasetSpec(seed: 3, size: .village, county: Fixtures.linyi, asOf: asOf))
        #expect(d.visits.map(\.date).max()! <= asOf)
        #expect(d.households.map(\.appliedOn).max()! <= asOf)
        #expect(d.households.map(\.id).allSatisfy { CalendarDate.chinaStandard(millisecondsSinceEpoch: $0.milliseconds) <= asOf })
        #expect(d.visits.map(\.date).min()! >= asOf.adding(months: -13))
    }

    @Test("Without a county the seed picks one of Yuncheng's")
    func countyFromSeed() {
        let picked = (0..<40).map { DatasetSpec(seed: UInt64($0), size: .village).resolvedCounty.code }
        #expect(picked.allSatisfy { Yuncheng.county($0) != nil })
        #expect(Set(picked).count > 5)
        #expect(DatasetSpec(seed: 3, size: .village).resolvedCounty == DatasetSpec(seed: 3, size: .village).resolvedCounty)
    }
}

@Suite("Sizes")
struct SizeTests {
    func within10Percent(_ actual: Int, _ target: Int) -> Bool {
        abs(actual - target) * 10 <= target
    }

    @Test("A village has about 150 households")
    func village() {
        let d = Fixtures.village
        #expect(d.villages.count == 1 && d.plan.townships.count == 1)
        #expect(within10Percent(d.households.count, 150))
    }

    @Test("A township has about 5,000 households in 30 villages")
    func township() {
        var households = 0, villages = 0
        DatasetGenerator.forEachVillage(DatasetSpec(seed: 2, size: .township, county: Fixtures.linyi)) { v in
            households += v.households.count
            villages += 1
        }
        #expect(villages == 30)
        #expect(within10Percent(households, 5_000))
    }

    @Test("A county plans about 50,000 households in 10 townships of 30 villages")
    func county() {
        let plan = DatasetPlan(DatasetSpec(seed: 2, size: .county, county: Fixtures.linyi))
        #expect(plan.townships.count == 10)
        #expect(plan.villages.count == 300)
        #expect(within10Percent(plan.totalHouseholds, 50_000))
        #expect(Set(plan.villages.map(\.code)).count == 300)
        #expect(plan.workers.count > 300 + 10)
    }

    @Test("An explicit count is met exactly", arguments: [1, 37, 1_234, 8_000])
    func explicit(_ n: Int) {
        let plan = DatasetPlan(DatasetSpec(seed: 1, size: .households(n), county: Fixtures.yanhu))
        #expect(plan.totalHouseholds == n)
        #expect(plan.villages.allSatisfy { $0.householdCount > 0 })
    }

    @Test("Sizes parse from the command line's words and numbers")
    func parsing() {
        #expect(DatasetSpec.Size(parsing: "village") == .village)
        #expect(DatasetSpec.Size(parsing: "Township") == .township)
        #expect(DatasetSpec.Size(parsing: "county") == .county)
        #expect(DatasetSpec.Size(parsing: "2500") == .households(2_500))
        #expect(DatasetSpec.Size(parsing: "0") == nil)
        #expect(DatasetSpec.Size(parsing: "-5") == nil)
        #expect(DatasetSpec.Size(parsing: "city") == nil)
    }

    @Test("Urban townships are 街道 numbered from 001, towns from 101")
    func numbering() {
        let plan = DatasetPlan(DatasetSpec(seed: 1, size: .households(20_000), county: Fixtures.yanhu))
        let urban = plan.townships.filter(\.isUrban)
        #expect(!urban.isEmpty)
        #expect(urban.allSatisfy { $0.code.rawValue % 1000 < 100 && $0.name.hasSuffix("街道") })
        #expect(plan.townships.filter { !$0.isUrban }.first?.code.rawValue == 140_802_101)
        let rural = DatasetPlan(DatasetSpec(seed: 1, size: .village, county: Fixtures.linyi))
        #expect(rural.villages.first?.code.rawValue == 140_821_101_001)
    }
}
