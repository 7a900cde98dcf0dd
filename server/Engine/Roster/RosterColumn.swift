import FieldModel

/// The columns of a household roster, one row per person, as counties keep them: each column
/// has an English key and the Chinese header county sheets use; either may head the column.
public enum RosterColumn: String, CaseIterable, Sendable {
    // The household: repeated on each of its rows, or left blank after its first row.
    case householdNo = "household_no"
    case village
    case address
    case phone
    case category
    case classification
    case status
    case monthlyStandard = "monthly_standard"
    case monthlyAmount = "monthly_amount"
    case monthlyIncome = "monthly_income"
    case assets
    case appliedOn = "applied_on"
    case coveredSince = "covered_since"
    case lastReviewedOn = "last_reviewed_on"
    // The person.
    case name
    case idNumber = "id_number"
    case relation
    case disabilityKind = "disability_kind"
    case disabilityGrade = "disability_grade"
    case seriousIllness = "serious_illness"
    case labourAbility = "labour_ability"
    case memberStatus = "member_status"

    public var chineseHeader: String {
        switch self {
        case .householdNo: "户编号"
        case .village: "村代码"
        case .address: "家庭住址"
        case .phone: "联系电话"
        case .category: "保障类别"
        case .classification: "经济状况"
        case .status: "办理状态"
        case .monthlyStandard: "保障标准"
        case .monthlyAmount: "保障金额"
        case .monthlyIncome: "家庭月收入"
        case .assets: "家庭财产"
        case .appliedOn: "申请日期"
        case .coveredSince: "纳入日期"
        case .lastReviewedOn: "最近复核日期"
        case .name: "姓名"
        case .idNumber: "身份证号"
        case .relation: "与户主关系"
        case .disabilityKind: "残疾类别"
        case .disabilityGrade: "残疾等级"
        case .seriousIllness: "重病"
        case .labourAbility: "劳动能力"
        case .memberStatus: "人员状态"
        }
    }

    /// A column a roster may leave out; every other one must be present.
    public var isOptional: Bool {
        switch self {
        case .phone, .status, .coveredSince, .lastReviewedOn, .disabilityKind, .disabilityGrade, .seriousIllness,
             .memberStatus: true
        default: false
        }
    }

    /// A column of sensitive personal information (`Schema.sensitiveFields`): a problem with
    /// it is reported without repeating the cell.
    public var isSensitive: Bool {
        switch self {
        case .idNumber, .monthlyIncome, .assets, .disabilityKind, .disabilityGrade, .seriousIllness, .labourAbility: true
        default: false
        }
    }

    /// A household column: the same for every row of the household.
    public var isHousehold: Bool { RosterColumn.allCases.firstIndex(of: self)! <= RosterColumn.allCases.firstIndex(of: .lastReviewedOn)! }

    /// The column a header names (English key or Chinese header), nil for none.
    public init?(header: String) {
        guard let c = RosterColumn.allCases.first(where: { $0.rawValue == header || $0.chineseHeader == header }) else { return nil }
        self = c
    }
}
