/// Why a household was visited.
public enum VisitKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 入户调查: the investigation of an application.
    case applicationInvestigation
    /// 年度核查: the yearly review of a stable household.
    case annualReview
    /// 半年核查: the six-monthly review of a household with unstable income or members able to work.
    case semiannualReview
    /// 拉网式排查: a screening visit in a village-by-village campaign.
    case screening
    /// 主动发现跟进: following up a discovery lead.
    case discoveryFollowUp

    /// Visits that investigate or review eligibility; a worker must recuse from these for a relative.
    public var assessesEligibility: Bool {
        self == .applicationInvestigation || self == .annualReview || self == .semiannualReview
    }

    public var isReview: Bool { self == .annualReview || self == .semiannualReview }
}

/// What the visiting worker recommends.
public enum Recommendation: String, Sendable, Hashable, Codable, CaseIterable {
    case include   // 纳入
    case maintain  // 维持
    case adjust    // 调标
    case exit      // 清退
    case none      // screening or follow-up with nothing to recommend
}

/// 居住及生活状况, as the worker judged it.
public enum LivingCondition: String, Sendable, Hashable, Codable, CaseIterable {
    case adequate, difficult, severe
}

/// A household visit: immutable once recorded. A correction is a new visit that names the one
/// it corrects.
public struct Visit: Sendable, Hashable, Codable {
    public var id: RecordID
    public var householdID: RecordID
    public var village: VillageCode
    public var kind: VisitKind
    public var worker: WorkerID
    public var date: CalendarDate
    public var monthlyIncomeFen: Int64
    public var assetsFen: Int64
    public var livingCondition: LivingCondition
    public var recommendation: Recommendation
    public var notes: String
    public var corrects: RecordID?

    public init(id: RecordID, householdID: RecordID, village: VillageCode, kind: VisitKind,
                worker: WorkerID, date: CalendarDate, monthlyIncomeFen: Int64, assetsFen: Int64,
                livingCondition: LivingCondition, recommendation: Recommendation, notes: String,
                corrects: RecordID? = nil) {
        self.id = id
        self.householdID = householdID
        self.village = village
        self.kind = kind
        self.worker = worker
        self.date = date
        self.monthlyIncomeFen = monthlyIncomeFen
        self.assetsFen = assetsFen
        self.livingCondition = livingCondition
        self.recommendation = recommendation
        self.notes = notes
        self.corrects = corrects
    }
}
