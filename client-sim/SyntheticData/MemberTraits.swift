import FieldModel

/// Disability, illness, labour ability and presence of a member, drawn at plausible rates:
/// about 8% of members with a certified disability, about 3% seriously ill, labour ability
/// following age and health. The rates below are for ordinary members; the heads of 单独申请
/// households (all disabled or ill) bring the totals to those figures.
struct MemberTraits {
    var disabilityKind: DisabilityKind = .none
    var disabilityGrade = 0
    var seriousIllness = false
    var labourAbility: LabourAbility = .none
    var status: MemberStatus = .present

    static let kinds = WeightedTable<DisabilityKind>([
        (.physical, 40), (.visual, 12), (.hearing, 12), (.speech, 3), (.intellectual, 13), (.mental, 12), (.multiple, 8),
    ])
    /// Grade 1 is the most severe.
    static let grades = WeightedTable<Int>([(1, 15), (2, 25), (3, 30), (4, 30)])

    /// Traits of an ordinary member of `age`.
    static func draw(age: Int, relation: Relation, _ g: inout SeededGenerator) -> MemberTraits {
        var t = MemberTraits()
        if g.chance(age < 18 ? 0.015 : age < 60 ? 0.04 : 0.065) {
            t.disabilityKind = kinds.draw(&g)
            t.disabilityGrade = grades.draw(&g)
        }
        t.seriousIllness = g.chance(age < 18 ? 0.005 : age < 60 ? 0.015 : 0.03)
        t.labourAbility = labour(age: age, t, &g)
        if relation != .head {
            // Members leave by a status change, not a delete: a few have moved out or died.
            if g.chance(age >= 70 ? 0.04 : 0.01) { t.status = .deceased }
            else if age >= 18 && age < 60 && g.chance(0.04) { t.status = .movedOut }
        }
        return t
    }

    /// The head of a 单独申请 household: one of the three grounds of `SinglePersonCoverage`.
    static func drawSpecialGround(age: Int, _ g: inout SeededGenerator) -> MemberTraits {
        var t = MemberTraits()
        switch g.int(below: 10) {
        case 0..<5:
            t.disabilityKind = kinds.draw(&g)
            t.disabilityGrade = g.int(in: 1...2)
        case 5..<8:
            t.disabilityKind = g.chance(0.5) ? .intellectual : .mental
            t.disabilityGrade = 3
        default:
            t.seriousIllness = true
        }
        t.labourAbility = labour(age: age, t, &g)
        return t
    }

    /// Children and the old cannot be expected to work; severe disability or illness removes
    /// the ability, moderate disability reduces it.
    static func labour(age: Int, _ t: MemberTraits, _ g: inout SeededGenerator) -> LabourAbility {
        if age < 18 { return .none }
        if t.seriousIllness || (1...2).contains(t.disabilityGrade) { return .none }
        if t.disabilityGrade >= 3 { return .partial }
        if age >= 60 { return g.chance(0.7) ? .none : .partial }
        switch g.int(below: 100) {
        case 0..<72: return .able
        case 72..<88: return .partial
        default: return .none
        }
    }
}
