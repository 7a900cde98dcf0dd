/// A household's step in the assistance workflow. Steps are never skipped.
///
///     applied → investigated → townshipReviewed → publicNotice → countyConfirmed → covered
///     covered → underReview → covered (维持) | adjusted → covered | exited
///     investigated | townshipReviewed | publicNotice → declined
///     declined | exited → applied (a new application)
public enum WorkflowStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case applied           // 申请
    case investigated      // 入户调查
    case townshipReviewed  // 乡镇审核
    case publicNotice      // 公示
    case countyConfirmed   // 县级确认
    case covered           // 在保
    case underReview       // 复核
    case adjusted          // 调整
    case exited            // 清退
    case declined          // 不予纳入

    public var chineseName: String {
        switch self {
        case .applied: "申请"
        case .investigated: "入户调查"
        case .townshipReviewed: "乡镇审核"
        case .publicNotice: "公示"
        case .countyConfirmed: "县级确认"
        case .covered: "在保"
        case .underReview: "复核"
        case .adjusted: "调整"
        case .exited: "清退"
        case .declined: "不予纳入"
        }
    }

    /// Whether the household currently receives assistance.
    public var isCovered: Bool { self == .covered || self == .underReview || self == .adjusted }
}
