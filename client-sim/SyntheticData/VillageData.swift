import FieldModel

/// Every record of one village, as the generator streams them.
public struct VillageData: Sendable {
    public let village: VillageInfo
    public var households: [Household] = []
    public var members: [Member] = []
    public var visits: [Visit] = []
    public var leads: [DiscoveryLead] = []
    public var filings: [RelativeFiling] = []
    public var notices: [PublicNotice] = []
    /// Every household's workflow steps, in order (who moved it, when): not synced records, the
    /// history the server's workflow trail would hold.
    public var workflowSteps: [WorkflowStepRecord] = []

    public init(village: VillageInfo) { self.village = village }

    public var recordCount: Int {
        households.count + members.count + visits.count + leads.count + filings.count + notices.count
    }
}

/// A whole dataset in memory: the plan's workers and villages and every record.
///
/// For a county, prefer `DatasetGenerator.forEachVillage`, which holds one village at a time.
public struct Dataset: Sendable {
    public let plan: DatasetPlan
    public var workers: [Worker] { plan.workers }
    public var villages: [VillageInfo] { plan.villages }
    public var households: [Household] = []
    public var members: [Member] = []
    public var visits: [Visit] = []
    public var leads: [DiscoveryLead] = []
    public var filings: [RelativeFiling] = []
    public var notices: [PublicNotice] = []
    public var workflowSteps: [WorkflowStepRecord] = []

    public init(plan: DatasetPlan) { self.plan = plan }

    mutating func append(_ v: VillageData) {
        households += v.households
        members += v.members
        visits += v.visits
        leads += v.leads
        filings += v.filings
        notices += v.notices
        workflowSteps += v.workflowSteps
    }
}
