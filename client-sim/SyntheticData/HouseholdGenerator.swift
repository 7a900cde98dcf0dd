import FieldModel

/// A household as generated, with what the visit history needs to know about it.
struct GeneratedHousehold {
    var household: Household
    var members: [Member]
    var timeline: HouseholdTimeline
    var shape: HouseholdShape
}

/// Draws one household and its members: category, shape, people, status, dates and money,
/// each consistent with the others and with the county's standards.
struct HouseholdGenerator {
    let village: VillageInfo
    let standards: ReliefStandards
    let calendar: VillageCalendar

    /// The workflow mix: mostly covered, some at each earlier step, some gone.
    static let statusMix = WeightedTable<WorkflowStatus>([
        (.applied, 3), (.investigated, 3), (.townshipReviewed, 2), (.publicNotice, 2), (.countyConfirmed, 2),
        (.covered, 74), (.underReview, 3), (.adjusted, 2), (.exited, 6), (.declined, 3),
    ])

    func generate(ids: inout IDNumberAllocator, _ g: inout SeededGenerator) -> GeneratedHousehold {
        let category = drawCategory(&g)
        let shape = (category == .extremePoverty ? HouseholdShape.extremePovertyMix : HouseholdShape.dibaoMix).draw(&g)
        let status = HouseholdGenerator.statusMix.draw(&g)
        var timeline = HouseholdTimeline.draw(status, calendar, &g)
        let householdID = RecordStamps.id(on: timeline.appliedOn, &g)
        let members = makeMembers(shape, householdID, ids: &ids, on: timeline.appliedOn, &g)
        let classification: EconomicClassification = g.chance(0.4) ? .unstableIncome : .stable
        timeline.scheduleReviews(ReviewCadence.cadence(classification: classification, members: members),
                                 status: status, calendar, &g)

        let standard = standards.standard(for: category, urban: village.isUrban)
        let present = Int64(members.lazy.filter { $0.status == .present }.count)
        let income = drawIncome(category, status, standard: standard, present: present, &g)
        let amount = HouseholdGenerator.amount(category, status, standard: standard, present: present, income: income)
        let head = members[0]
        let household = Household(
            id: householdID, village: village.code, headName: head.name, headIDNumber: head.idNumber,
            addressDetail: address(&g), phone: g.chance(0.88) ? Identity.mobile(&g) : nil,
            category: category, classification: classification, status: status,
            monthlyStandardFen: standard, monthlyAmountFen: amount, monthlyIncomeFen: income,
            assetsFen: drawAssets(status, &g), appliedOn: timeline.appliedOn, coveredSince: timeline.coveredSince,
            lastReviewedOn: timeline.lastReviewedOn, notes: notes(category, shape, head, &g))
        return GeneratedHousehold(household: household, members: members, timeline: timeline, shape: shape)
    }

    /// 城市低保 in urban 社区, 农村低保 in villages, a few 特困 in both.
    private func drawCategory(_ g: inout SeededGenerator) -> HouseholdCategory {
        if g.chance(village.isUrban ? 0.05 : 0.07) { return .extremePoverty }
        return village.isUrban ? .urbanDibao : .ruralDibao
    }

    private func makeMembers(_ shape: HouseholdShape, _ householdID: RecordID, ids: inout IDNumberAllocator,
                             on created: CalendarDate, _ g: inout SeededGenerator) -> [Member] {
        let people = shape.sketch(&g)
        let familyName = PersonNames.surname(&g)
        return people.enumerated().map { i, p in
            let birth = Identity.birthDate(age: p.age, asOf: calendar.asOf, &g)
            // Children and grandchildren carry the family name; spouses and a mother-in-law bring their own.
            let sameName = p.relation == .head || p.relation == .child || p.relation == .grandchild
                || (p.relation == .parent && p.male)
            let name = PersonNames.fullName(surname: sameName || g.chance(0.03) ? familyName : nil,
                                            male: p.male, birthYear: birth.year, &g)
            let traits = i == 0 && shape == .singleDisabled
                ? MemberTraits.drawSpecialGround(age: p.age, &g)
                : MemberTraits.draw(age: p.age, relation: p.relation, &g)
            return Member(id: RecordStamps.id(on: created, &g), householdID: householdID, village: village.code,
                          name: name, idNumber: ids.make(birth: birth, male: p.male), relation: p.relation,
                          disabilityKind: traits.disabilityKind, disabilityGrade: traits.disabilityGrade,
                          seriousIllness: traits.seriousIllness, labourAbility: traits.labourAbility,
                          status: traits.status)
        }
    }

    /// Monthly household income in whole yuan: below the standard per head for households on
    /// the roll or applying, above it for those declined or exited (why they are not covered).
    private func drawIncome(_ category: HouseholdCategory, _ status: WorkflowStatus, standard: Int64,
                            present: Int64, _ g: inout SeededGenerator) -> Int64 {
        let share: Double
        switch status {
        case .declined: share = g.double(in: 1.05...1.6)
        case .exited: share = g.double(in: 1.05...1.8)
        default:
            // 特困 have at most a small pension; 低保 families some farm or casual income.
            share = category == .extremePoverty ? (g.chance(0.7) ? 0 : g.double(in: 0.05...0.3)) : g.double(in: 0...0.85)
        }
        return ReliefStandards.roundToYuan(Int64(Double(standard * present) * share))
    }

    /// 差额救助: the standard for every present member less the income, in whole yuan; 特困 receive
    /// the full standard. Paid only from county confirmation on, and not after leaving.
    static func amount(_ category: HouseholdCategory, _ status: WorkflowStatus, standard: Int64,
                       present: Int64, income: Int64) -> Int64 {
        guard status == .countyConfirmed || status.isCovered else { return 0 }
        if category == .extremePoverty { return standard * present }
        return ReliefStandards.roundToYuan(max(0, standard * present - income))
    }

    /// Savings and the like: small for most, in whole yuan.
    private func drawAssets(_ status: WorkflowStatus, _ g: inout SeededGenerator) -> Int64 {
        let u = g.unit()
        let cap: Double = status == .declined || status == .exited ? 8_000_000 : 3_000_000
        return ReliefStandards.roundToYuan(Int64(u * u * cap))
    }

    private func address(_ g: inout SeededGenerator) -> String {
        if village.isUrban {
            return "\(village.name)\(PlaceNames.compound(&g))\(g.int(in: 1...30))号楼\(g.int(in: 1...6))单元\(g.int(in: 1...7))0\(g.int(in: 1...4))室"
        }
        return "\(village.name)\(g.int(in: 1...12))组\(g.int(in: 1...80))号"
    }

    private func notes(_ category: HouseholdCategory, _ shape: HouseholdShape, _ head: Member,
                       _ g: inout SeededGenerator) -> String {
        switch shape {
        case .singleDisabled:
            let grade = ["一", "二", "三", "四"][max(0, head.disabilityGrade - 1)]
            return head.seriousIllness ? "单独申请：重病患者" : "单独申请：\(grade)级残疾"
        case .grandparentsWithGrandchildren:
            return g.chance(0.5) ? "子女外出务工，祖孙共同生活" : ""
        default:
            if category == .extremePoverty { return g.chance(0.8) ? "分散供养" : "集中供养" }
            return g.chance(0.1) ? g.pick(["家庭成员长期患病，医疗支出较大", "房屋年久失修", "收入主要来自种植"]) : ""
        }
    }
}
