/// 单独申请: members of a low-income household who may be covered as a household of one.
///
/// 将农村低收入家庭中的一、二级重度残疾人，三级智力、精神残疾人，重病患者纳入单独申请低保范围。
public enum SinglePersonCoverage {
    public enum Ground: String, Sendable, Hashable, CaseIterable {
        case severeDisability           // 一、二级重度残疾
        case intellectualOrMentalGrade3 // 三级智力、精神残疾
        case seriousIllness             // 重病
    }

    /// The grounds on which `member` qualifies, empty when none.
    public static func grounds(for member: Member) -> [Ground] {
        var out: [Ground] = []
        if member.disabilityKind != .none, (1...2).contains(member.disabilityGrade) { out.append(.severeDisability) }
        if member.disabilityGrade == 3, member.disabilityKind == .intellectual || member.disabilityKind == .mental {
            out.append(.intellectualOrMentalGrade3)
        }
        if member.seriousIllness { out.append(.seriousIllness) }
        return out
    }

    public static func qualifies(_ member: Member) -> Bool { !grounds(for: member).isEmpty }
}
