import FieldModel

/// Who lives in a household: the shapes of family seen on assistance rolls, and each person's
/// relation, sex and age, drawn so that generations are consistent (parents are 20–40 years
/// older than their children, grandparents older still).
enum HouseholdShape: CaseIterable {
    case singleElderly          // 独居老人
    case elderlyCouple          // 老年夫妻
    case singleDisabled         // 单独申请: a severely disabled or seriously ill adult on their own
    case coupleWithChildren
    case singleParent
    case threeGenerations       // head, spouse, children and the head's parent(s)
    case grandparentsWithGrandchildren // 留守儿童 with grandparents

    /// The mix on a 低保 roll: about 2.5 people a household, as in the city's figures.
    static let dibaoMix = WeightedTable<HouseholdShape>([
        (.singleElderly, 22), (.elderlyCouple, 14), (.singleDisabled, 10), (.coupleWithChildren, 22),
        (.singleParent, 10), (.threeGenerations, 10), (.grandparentsWithGrandchildren, 12),
    ])

    /// 特困供养: people with no one obliged or able to support them; nearly always alone.
    static let extremePovertyMix = WeightedTable<HouseholdShape>([
        (.singleElderly, 70), (.singleDisabled, 22), (.elderlyCouple, 8),
    ])
}

/// One person of a planned household, before names and ID numbers.
struct PersonSketch {
    var relation: Relation
    var male: Bool
    var age: Int
}

extension HouseholdShape {
    /// The people of a household of this shape, head first.
    func sketch(_ g: inout SeededGenerator) -> [PersonSketch] {
        switch self {
        case .singleElderly:
            return [PersonSketch(relation: .head, male: g.chance(0.45), age: g.int(in: 60...92))]
        case .elderlyCouple:
            let head = g.int(in: 62...88)
            return [PersonSketch(relation: .head, male: true, age: head),
                    PersonSketch(relation: .spouse, male: false, age: max(58, head - g.int(in: -2...5)))]
        case .singleDisabled:
            return [PersonSketch(relation: .head, male: g.chance(0.55), age: g.int(in: 18...60))]
        case .coupleWithChildren:
            let head = g.int(in: 30...58)
            let spouse = head - g.int(in: 0...5)
            return [PersonSketch(relation: .head, male: true, age: head),
                    PersonSketch(relation: .spouse, male: false, age: spouse)]
                + children(ofMotherAged: spouse, count: g.chance(0.15) ? 3 : g.int(in: 1...2), &g)
        case .singleParent:
            let male = g.chance(0.4)
            let head = g.int(in: 28...55)
            return [PersonSketch(relation: .head, male: male, age: head)]
                + children(ofMotherAged: head, count: g.int(in: 1...2), &g)
        case .threeGenerations:
            let head = g.int(in: 35...55)
            let spouse = head - g.int(in: 0...5)
            var people = [PersonSketch(relation: .head, male: true, age: head),
                          PersonSketch(relation: .spouse, male: false, age: spouse)]
            people += children(ofMotherAged: spouse, count: g.int(in: 1...2), &g)
            let father = min(95, head + g.int(in: 22...36))
            if g.chance(0.35) { people.append(PersonSketch(relation: .parent, male: true, age: father)) }
            people.append(PersonSketch(relation: .parent, male: false, age: min(95, max(head + 20, father - g.int(in: 0...4)))))
            return people
        case .grandparentsWithGrandchildren:
            let head = g.int(in: 58...78)
            var people = [PersonSketch(relation: .head, male: true, age: head)]
            if g.chance(0.7) { people.append(PersonSketch(relation: .spouse, male: false, age: head - g.int(in: 0...4))) }
            // The middle generation works away from home and is registered elsewhere.
            let oldest = min(16, head - 40)
            for _ in 0..<g.int(in: 1...2) {
                people.append(PersonSketch(relation: .grandchild, male: g.chance(0.5), age: g.int(in: 3...oldest)))
            }
            return people
        }
    }

    /// Children born when their mother was 20–40 (and not in the future).
    private func children(ofMotherAged mother: Int, count: Int, _ g: inout SeededGenerator) -> [PersonSketch] {
        (0..<count).map { _ in
            let atBirth = g.int(in: 20...min(40, max(20, mother)))
            return PersonSketch(relation: .child, male: g.chance(0.52), age: max(0, mother - atBirth))
        }
    }
}
