/// 救助类别: which assistance a household receives or applies for.
public enum HouseholdCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case urbanDibao      // 城市低保
    case ruralDibao      // 农村低保
    case extremePoverty  // 特困供养

    public var chineseName: String {
        switch self {
        case .urbanDibao: "城市低保"
        case .ruralDibao: "农村低保"
        case .extremePoverty: "特困供养"
        }
    }
}

/// The classification that sets the review cadence (动态管理).
public enum EconomicClassification: String, Sendable, Hashable, Codable, CaseIterable {
    /// 短期内经济状况变化不大: reviewed once a year.
    case stable
    /// 收入来源不固定: reviewed every six months.
    case unstableIncome

    public var chineseName: String { self == .stable ? "经济状况稳定" : "收入来源不固定" }
}

/// A household on the books: an applicant, a covered household, or one that has left.
public struct Household: Sendable, Hashable, Codable {
    public var id: RecordID
    public var village: VillageCode
    public var headName: String
    public var headIDNumber: IDCardNumber
    public var addressDetail: String
    public var phone: String?
    public var category: HouseholdCategory
    public var classification: EconomicClassification
    public var status: WorkflowStatus
    /// 保障标准: the monthly standard per person for the category, in fen.
    public var monthlyStandardFen: Int64
    /// 救助金额: the monthly amount paid to the household, in fen.
    public var monthlyAmountFen: Int64
    /// Declared monthly household income, in fen.
    public var monthlyIncomeFen: Int64
    /// Declared assets (savings, vehicles, …), in fen.
    public var assetsFen: Int64
    public var appliedOn: CalendarDate
    public var coveredSince: CalendarDate?
    public var lastReviewedOn: CalendarDate?
    public var notes: String

    public init(id: RecordID, village: VillageCode, headName: String, headIDNumber: IDCardNumber,
                addressDetail: String, phone: String?, category: HouseholdCategory,
                classification: EconomicClassification, status: WorkflowStatus,
                monthlyStandardFen: Int64, monthlyAmountFen: Int64, monthlyIncomeFen: Int64,
                assetsFen: Int64, appliedOn: CalendarDate, coveredSince: CalendarDate?,
                lastReviewedOn: CalendarDate?, notes: String) {
        self.id = id
        self.village = village
        self.headName = headName
        self.headIDNumber = headIDNumber
        self.addressDetail = addressDetail
        self.phone = phone
        self.category = category
        self.classification = classification
        self.status = status
        self.monthlyStandardFen = monthlyStandardFen
        self.monthlyAmountFen = monthlyAmountFen
        self.monthlyIncomeFen = monthlyIncomeFen
        self.assetsFen = assetsFen
        self.appliedOn = appliedOn
        self.coveredSince = coveredSince
        self.lastReviewedOn = lastReviewedOn
        self.notes = notes
    }
}
