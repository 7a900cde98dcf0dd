import FieldModel
import SyntheticData

/// Who the run's devices are and what data the server starts with: villages of one generated
/// county, a few village assistants per village and one township reviewer per township.
struct LoadPlan: Sendable {
    struct DeviceSpec: Sendable {
        let worker: Worker
        let slot: Int
        let devicesPerVillage: Int
    }

    let villages: [VillageCode]
    let townships: [TownshipCode]
    let households: [Household]
    let members: [Member]
    let devices: [DeviceSpec]

    init(devices count: Int, scenario: Scenario, seed: UInt64) throws {
        guard count >= 2 else { throw LoadError(.invalidRun, "a run needs at least 2 devices (an assistant and a reviewer), got \(count)") }
        let apv = scenario.assistantsPerVillage
        // Villages for the assistants; one reviewer per 30 villages (a township) besides.
        var villageCount = max(1, (count - 1 + apv - 1) / apv)
        while villageCount > 1, (villageCount - 1) * apv + (villageCount + 29) / 30 >= count { villageCount -= 1 }
        let dataset = DatasetGenerator.generate(DatasetSpec(seed: seed, size: .households(villageCount * 170)))
        guard dataset.villages.count >= villageCount else {
            throw LoadError(.invalidRun, "the generated county has \(dataset.villages.count) villages, \(villageCount) needed")
        }
        let chosen = dataset.villages.prefix(villageCount).map(\.code)
        let inPlay = Set(chosen)
        let perVillage = scenario.householdsPerVillage
        let kept = Dictionary(grouping: dataset.households.filter { inPlay.contains($0.village) }, by: \.village)
            .flatMap { $0.value.sorted { $0.id < $1.id }.prefix(perVillage) }
            .sorted { ($0.village, $0.id) < ($1.village, $1.id) }
        let ids = Set(kept.map(\.id))
        villages = chosen
        townships = Array(Set(chosen.map(\.township))).sorted()
        households = kept
        members = dataset.members.filter { ids.contains($0.householdID) }

        var specs: [DeviceSpec] = []
        for t in townships {
            specs.append(DeviceSpec(worker: Worker(id: WorkerID(unchecked: "tr-\(t)"), name: "乡镇审核员", role: .townshipReviewer,
                                                   assignment: Assignment(townships: [t])), slot: 0, devicesPerVillage: 1))
        }
        var n = 0
        outer: for slot in 0..<apv {
            for v in villages {
                guard specs.count < count else { break outer }
                n += 1
                specs.append(DeviceSpec(worker: Worker(id: WorkerID(unchecked: "va-\(v)-\(slot + 1)"), name: "村协理员", role: .villageAssistant,
                                                       assignment: Assignment(villages: [v])), slot: slot, devicesPerVillage: apv))
            }
        }
        devices = specs
    }

    /// The roster of one township as a county keeps it.
    func roster(_ township: TownshipCode) -> String {
        let hs = households.filter { $0.village.township == township }
        let ids = Set(hs.map(\.id))
        return RosterCSVWriter.render(hs, members: members.filter { ids.contains($0.householdID) })
    }
}
