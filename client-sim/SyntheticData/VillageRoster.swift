import FieldModel

/// The village records that are not visits: discovery leads, relative filings, public notices.
struct VillageRoster {
    let village: VillageInfo
    let calendar: VillageCalendar

    static let foundBy = ["村委会", "邻居反映", "12345热线", "学校老师", "村医", "残联专干", "驻村工作队", "乡镇民政办"]
    static let descriptions: [Difficulty: [String]] = [
        .elderly: ["独居老人，子女在外地，生活无人照料", "高龄老人，无固定收入"],
        .weak: ["体弱多病，无法务农", "年老体弱，生活自理困难"],
        .illness: ["患重病，医疗支出大，家庭负债", "长期慢性病，需常年服药"],
        .disability: ["重度残疾，无劳动能力", "智力残疾，无人照料"],
        .hardship: ["家庭收入低，生活困难", "主要劳动力外出无音讯，子女上学"],
        .disaster: ["房屋因暴雨受损", "遭受冰雹，当年绝收"],
    ]

    /// A lead someone reported on the family of a household that then applied.
    func lead(for h: GeneratedHousehold, recordedBy: WorkerID, _ g: inout SeededGenerator) -> DiscoveryLead {
        let head = h.members[0]
        let difficulty: Difficulty = switch h.shape {
        case .singleElderly, .elderlyCouple: .elderly
        case .singleDisabled: head.seriousIllness ? .illness : .disability
        default: g.pick([.hardship, .illness, .weak])
        }
        let reported = h.household.appliedOn.adding(days: -g.int(in: 2...30))
        return DiscoveryLead(id: RecordStamps.id(on: reported, &g), village: village.code, recordedBy: recordedBy,
                             foundBy: g.pick(VillageRoster.foundBy), personName: head.name,
                             addressDetail: h.household.addressDetail, difficulty: difficulty,
                             description: g.pick(VillageRoster.descriptions[difficulty]!),
                             reportedOn: reported, followUpStatus: .helpedToApply)
    }

    /// A lead about a family that is not on the books: still open, visited, or found not eligible.
    func openLead(recordedBy: WorkerID, _ g: inout SeededGenerator) -> DiscoveryLead {
        let age = g.int(in: 20...90)
        let birthYear = calendar.asOf.year - age
        let daysAgo = g.int(in: 0...330)
        let reported = calendar.asOf.adding(days: -daysAgo)
        let status: FollowUpStatus = daysAgo < 14
            ? (g.chance(0.6) ? .open : .visited)
            : g.pick([.visited, .notEligible, .notEligible, .closed, .closed, .open])
        let difficulty = g.pick(Difficulty.allCases)
        return DiscoveryLead(id: RecordStamps.id(on: reported, &g), village: village.code, recordedBy: recordedBy,
                             foundBy: g.pick(VillageRoster.foundBy),
                             personName: PersonNames.fullName(male: g.chance(0.5), birthYear: birthYear, &g),
                             addressDetail: village.isUrban ? "\(village.name)\(PlaceNames.compound(&g))"
                                 : "\(village.name)\(g.int(in: 1...12))组",
                             difficulty: difficulty, description: g.pick(VillageRoster.descriptions[difficulty]!),
                             reportedOn: reported, followUpStatus: status)
    }

    /// The staff member's filing, made when the relative's household applied.
    func filing(_ planned: PlannedFiling, for h: GeneratedHousehold, _ g: inout SeededGenerator) -> RelativeFiling {
        let filed = min(calendar.asOf, h.household.appliedOn.adding(days: g.int(in: 0...5)))
        return RelativeFiling(id: RecordStamps.id(on: filed, &g), village: village.code, staff: planned.staff,
                              household: h.household.id, relation: planned.relation, filedOn: filed)
    }

    /// The village's notices of the past year: one per notice day, listing every household whose
    /// notice started then (the one running now for households in `publicNotice`, earlier ones for
    /// households since confirmed). Each runs seven days; objections raised on a notice that has
    /// ended were resolved before the county confirmed, on the running one perhaps not yet.
    func notices(_ households: [GeneratedHousehold], _ g: inout SeededGenerator) -> [PublicNotice] {
        var out: [PublicNotice] = []
        // Every notice of a household whose notice or confirmation falls in the year of history.
        let recent = households.filter { h in
            guard let start = h.timeline.noticeStartsOn else { return false }
            return (h.timeline.confirmedOn ?? start) >= calendar.historyStart
        }
        let byDay = Dictionary(grouping: recent, by: { $0.timeline.noticeStartsOn! })
        for start in byDay.keys.sorted() {
            let listed = byDay[start]!.map(\.household.id)
            let ends = start.adding(days: PublicNotice.minimumDays - 1)
            for chunk in stride(from: 0, to: listed.count, by: 500) {
                let objections = g.chance(0.15) ? Int64(g.int(in: 1...2)) : 0
                out.append(PublicNotice(
                    id: RecordStamps.id(on: start, &g), village: village.code,
                    households: Array(listed[chunk..<min(chunk + 500, listed.count)]),
                    startsOn: start, endsOn: ends, objectionCount: objections,
                    objectionNotes: objections == 0 ? "" : "群众反映个别申请家庭有经营性收入，已转乡镇核实",
                    resolvedObjectionCount: ends < calendar.asOf ? objections : 0))
            }
        }
        return out
    }
}
