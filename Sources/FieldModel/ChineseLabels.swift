/// An enumeration whose values have the Chinese names county staff read on forms and rosters.
/// The names are part of the schema (protocol/schema.json) and are what the roster import accepts
/// beside the raw values.
public protocol ChineseNamed: CaseIterable, RawRepresentable, Sendable where RawValue == String {
    var chineseName: String { get }
}

extension HouseholdCategory: ChineseNamed {}
extension EconomicClassification: ChineseNamed {}
extension WorkflowStatus: ChineseNamed {}
extension CloseRelation: ChineseNamed {}
extension Role: ChineseNamed {}
extension Duty: ChineseNamed {}

extension Relation: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .head: "户主"
        case .spouse: "配偶"
        case .child: "子女"
        case .parent: "父母"
        case .grandparent: "祖父母"
        case .grandchild: "孙子女"
        case .sibling: "兄弟姐妹"
        case .childInLaw: "儿媳女婿"
        case .other: "其他"
        }
    }
}

extension DisabilityKind: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .none: "无"
        case .visual: "视力"
        case .hearing: "听力"
        case .speech: "言语"
        case .physical: "肢体"
        case .intellectual: "智力"
        case .mental: "精神"
        case .multiple: "多重"
        }
    }
}

extension LabourAbility: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .able: "有劳动能力"
        case .partial: "部分丧失劳动能力"
        case .none: "丧失劳动能力"
        }
    }
}

extension MemberStatus: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .present: "在户"
        case .movedOut: "迁出"
        case .deceased: "死亡"
        }
    }
}

extension VisitKind: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .applicationInvestigation: "申请入户调查"
        case .annualReview: "年度复核"
        case .semiannualReview: "半年复核"
        case .screening: "摸底排查"
        case .discoveryFollowUp: "主动发现核查"
        }
    }
}

extension Recommendation: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .include: "纳入"
        case .maintain: "维持"
        case .adjust: "调标"
        case .exit: "清退"
        case .none: "无建议"
        }
    }
}

extension LivingCondition: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .adequate: "基本正常"
        case .difficult: "困难"
        case .severe: "特别困难"
        }
    }
}

extension Difficulty: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .elderly: "高龄"
        case .weak: "体弱"
        case .illness: "疾病"
        case .disability: "残疾"
        case .hardship: "生活困难"
        case .disaster: "突发灾害"
        }
    }
}

extension FollowUpStatus: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .open: "待核查"
        case .visited: "已走访"
        case .helpedToApply: "已协助申请"
        case .notEligible: "不符合条件"
        case .closed: "已办结"
        }
    }
}

extension AttachmentKind: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .homePhoto: "入户照片"
        case .documentPhoto: "证明材料"
        case .signature: "签字"
        case .other: "其他"
        }
    }
}

extension AttachmentContentType: ChineseNamed {
    public var chineseName: String {
        switch self {
        case .jpeg: "JPEG 图片"
        case .png: "PNG 图片"
        case .pdf: "PDF 文件"
        }
    }
}

extension Schema {
    /// Every enumeration a field takes its values from.
    static let namedEnumerations: [any ChineseNamed.Type] = [
        HouseholdCategory.self, EconomicClassification.self, WorkflowStatus.self, Relation.self, DisabilityKind.self,
        LabourAbility.self, MemberStatus.self, VisitKind.self, Recommendation.self, LivingCondition.self, Difficulty.self,
        FollowUpStatus.self, CloseRelation.self, AttachmentKind.self, AttachmentContentType.self,
    ]

    /// The Chinese names of an enumeration field's values, found by the values it allows; nil
    /// when no named enumeration has exactly those values.
    public static func chineseNames(of values: [String]) -> [String]? {
        for type in namedEnumerations {
            if let names = names(type, matching: values) { return names }
        }
        return nil
    }

    private static func names<E: ChineseNamed>(_: E.Type, matching values: [String]) -> [String]? {
        let cases = Array(E.allCases)
        guard cases.map(\.rawValue) == values else { return nil }
        return cases.map(\.chineseName)
    }
}
