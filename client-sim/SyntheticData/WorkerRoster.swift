import FieldModel

/// The staff of a dataset: village assistants, township reviewers, a county confirmer.
///
/// Ids follow the pattern the administrators use, role prefix and scope code, so a log line
/// names the village or township at a glance: `va-140821101001-1`, `tr-140821101-1`, `cc-140821-1`.
enum WorkerRoster {
    /// One or two assistants for a village (most villages have one 协理员; larger ones a second).
    static func villageAssistants(_ village: VillageCode, _ g: inout SeededGenerator) -> [Worker] {
        let count = g.chance(0.4) ? 2 : 1
        return (1...count).map { k in
            worker("va-\(village)-\(k)", .villageAssistant, Assignment(villages: [village]), &g)
        }
    }

    /// One or two reviewers for a township (乡镇审核).
    static func townshipReviewers(_ township: TownshipCode, _ g: inout SeededGenerator) -> [Worker] {
        let count = g.chance(0.5) ? 2 : 1
        return (1...count).map { k in
            worker("tr-\(township)-\(k)", .townshipReviewer, Assignment(townships: [township]), &g)
        }
    }

    /// The county's confirmer (县级确认).
    static func countyConfirmer(_ county: CountyCode, _ g: inout SeededGenerator) -> Worker {
        worker("cc-\(county)-1", .countyConfirmer, Assignment(counties: [county]), &g)
    }

    /// A handful of relative filings per township, each by a real worker of the township.
    ///
    /// A village assistant files only against a village where another assistant can take the
    /// visits; otherwise recusal would leave the household with nobody to review it. Township
    /// reviewers make no visits in the generated data, so they may file against any village.
    static func plannedFilings(villages: Int, assistants: [[Worker]], reviewers: [Worker],
                               _ g: inout SeededGenerator) -> [[PlannedFiling]] {
        var out = [[PlannedFiling]](repeating: [], count: villages)
        let count = villages >= 10 ? g.int(in: 3...6) : g.int(in: 1...3)
        for _ in 0..<count {
            let v = g.int(below: villages)
            let staff: WorkerID
            if assistants[v].count > 1 && g.chance(0.5) {
                staff = g.pick(assistants[v]).id
            } else if g.chance(0.5) {
                staff = g.pick(reviewers).id
            } else {
                // An assistant of a neighbouring village of the same township, whose relative lives here.
                let other = g.int(below: villages)
                staff = other == v && assistants[v].count == 1 ? g.pick(reviewers).id : g.pick(assistants[other]).id
            }
            out[v].append(PlannedFiling(staff: staff, relation: g.pick(CloseRelation.allCases)))
        }
        return out
    }

    private static func worker(_ id: String, _ role: Role, _ assignment: Assignment, _ g: inout SeededGenerator) -> Worker {
        let male = g.chance(0.45)
        let birthYear = g.int(in: 1968...1998)
        return Worker(id: WorkerID(unchecked: id), name: PersonNames.fullName(male: male, birthYear: birthYear, &g),
                      role: role, assignment: assignment)
    }
}
