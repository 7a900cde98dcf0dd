import FieldModel

/// Generates a seeded synthetic dataset: workers, households, members, a year of visits, leads,
/// filings and notices for the villages of a county.
///
///     let data = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .village))
///     try DatasetGenerator.forEachVillage(DatasetSpec(seed: 7, size: .county)) { v in try write(v) }
///
/// Deterministic: the same spec gives the same records, in the same order, with the same ids.
/// - Complexity: O(households); `forEachVillage` holds one village's records at a time.
public enum DatasetGenerator {
    /// The whole dataset in memory.
    public static func generate(_ spec: DatasetSpec) -> Dataset {
        let plan = DatasetPlan(spec)
        var data = Dataset(plan: plan)
        forEachVillage(plan) { data.append($0) }
        return data
    }

    /// Generates village after village and hands each to `body`, so a county can be written
    /// without holding it all.
    public static func forEachVillage(_ spec: DatasetSpec, _ body: (VillageData) throws -> Void) rethrows {
        try forEachVillage(DatasetPlan(spec), body)
    }

    /// As `forEachVillage(_:_:)`, for a plan already built (e.g. to write its workers first).
    public static func forEachVillage(_ plan: DatasetPlan, _ body: (VillageData) throws -> Void) rethrows {
        // ID numbers are unique across the county, so the allocator outlives each village.
        var ids = IDNumberAllocator(region: plan.county.code, seed: plan.spec.seed)
        for township in plan.townships {
            for village in township.villages {
                try body(VillageGenerator(plan: plan, village: village).generate(ids: &ids))
            }
        }
    }
}

/// Generates the records of one village from its own random stream.
struct VillageGenerator {
    let plan: DatasetPlan
    let village: VillageInfo

    func generate(ids: inout IDNumberAllocator) -> VillageData {
        // Each village draws from a stream keyed by its code: its records do not shift when
        // another village changes.
        var g = SeededGenerator(seed: plan.spec.seed, stream: village.code.rawValue)
        let calendar = VillageCalendar(asOf: plan.spec.asOf, &g)
        let maker = HouseholdGenerator(village: village, standards: plan.standards,
                                       calendar: calendar)
        let generated = (0..<village.householdCount).map { _ in maker.generate(ids: &ids, &g) }
        let roster = VillageRoster(village: village, calendar: calendar)
        var data = VillageData(village: village)
        data.households = generated.map(\.household)
        data.members = generated.flatMap(\.members)

        // Filings first: they decide which assistant may visit which household.
        var filedStaff: [RecordID: Set<WorkerID>] = [:]
        var filedIndices = Set<Int>()
        for planned in village.plannedFilings where filedIndices.count < generated.count {
            var k = g.int(below: generated.count)
            while filedIndices.contains(k) { k = (k + 1) % generated.count }
            filedIndices.insert(k)
            let filing = roster.filing(planned, for: generated[k], &g)
            if let staff = filing.staff { filedStaff[filing.household, default: []].insert(staff) }
            data.filings.append(filing)
        }

        for (i, h) in generated.enumerated() {
            let filed = filedStaff[h.household.id] ?? []
            let worker = visitingAssistant(index: i, excluding: filed)
            let history = VisitHistory(calendar: calendar, worker: worker)
            data.workflowSteps += WorkflowHistory(assistant: worker, reviewer: reviewer(excluding: filed), confirmer: confirmer).steps(for: h)
            let applicant = h.household.status != .covered && !h.household.status.isCovered
                && h.household.status != .exited
            let fromLead = applicant && g.chance(0.3)
            if fromLead { data.leads.append(roster.lead(for: h, recordedBy: worker, &g)) }
            let screened = history.couldBeScreened(h) && g.chance(0.35)
            data.visits += history.visits(for: h, screened: screened, followedUp: fromLead, &g)
        }
        for _ in 0..<g.int(in: 2...4) {
            data.leads.append(roster.openLead(recordedBy: g.pick(village.assistants), &g))
        }
        data.notices = roster.notices(generated, &g)
        return data
    }

    /// A reviewer of the village's township not filed as the household's relative; when every one
    /// is, a reviewer of another township of the county takes it (回避).
    private func reviewer(excluding filed: Set<WorkerID>) -> WorkerID {
        let own = plan.townships.first { $0.villages.contains { $0.code == village.code } }?.reviewers ?? []
        return (own + plan.townships.flatMap(\.reviewers)).first { !filed.contains($0) } ?? own[0]
    }

    /// The county's confirmer (县级确认).
    private var confirmer: WorkerID { plan.workers.first { $0.role == .countyConfirmer }!.id }

    /// The household's regular assistant, or the other one when the regular one filed it as a
    /// relative's (the plan guarantees another exists).
    private func visitingAssistant(index: Int, excluding filed: Set<WorkerID>) -> WorkerID {
        let assistants = village.assistants
        let regular = assistants[index % assistants.count]
        guard filed.contains(regular) else { return regular }
        return assistants.first { !filed.contains($0) } ?? regular
    }
}
