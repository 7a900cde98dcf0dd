import FieldModel
import Testing

/// 严格落实政策规定的申请、入户调查、公示、审核等程序，不能简化、走过场.
/// 申请 → 入户调查 → 乡镇审核 → 公示 → 县级确认 → 在保 → 复核 → 维持 | 调整 | 清退.
@Suite("Workflow")
struct WorkflowTests {
    /// The steps, written out from the policy: every allowed move and nothing else.
    static let allowed: [WorkflowStatus: Set<WorkflowStatus>] = [
        .applied: [.investigated],                           // 申请 → 入户调查
        .investigated: [.townshipReviewed, .declined],       // → 乡镇审核, or not eligible
        .townshipReviewed: [.publicNotice, .declined],       // → 公示
        .publicNotice: [.countyConfirmed, .declined],        // → 县级确认 (or objections upheld)
        .countyConfirmed: [.covered],                        // → 在保
        .covered: [.underReview],                            // → 复核
        .underReview: [.covered, .adjusted, .exited],        // 维持 | 调整 | 清退
        .adjusted: [.covered],                               // the new amount applies
        .exited: [.applied],                                 // only a new application
        .declined: [.applied],
    ]

    /// Who makes each step (运民发〔2022〕11号: 县级确认、乡镇审核、村(居)民委员会配合调查): the village
    /// assistant and the township take applications and investigate; the township reviews,
    /// publishes the notice and declines before it; the county confirms, covers, adjusts, exits
    /// and declines at the notice stage; a periodic review is started by the village or township.
    /// City supervisors and administrators change no household.
    static let makers: [String: Set<Role>] = [
        "applied→investigated": [.villageAssistant, .townshipReviewer],
        "investigated→townshipReviewed": [.townshipReviewer],
        "investigated→declined": [.townshipReviewer],
        "townshipReviewed→publicNotice": [.townshipReviewer],
        "townshipReviewed→declined": [.townshipReviewer],
        "publicNotice→countyConfirmed": [.countyConfirmer],
        "publicNotice→declined": [.countyConfirmer],
        "countyConfirmed→covered": [.countyConfirmer],
        "covered→underReview": [.villageAssistant, .townshipReviewer],
        "underReview→covered": [.countyConfirmer],
        "underReview→adjusted": [.countyConfirmer],
        "underReview→exited": [.countyConfirmer],
        "adjusted→covered": [.countyConfirmer],
        "exited→applied": [.villageAssistant, .townshipReviewer],
        "declined→applied": [.villageAssistant, .townshipReviewer],
    ]

    /// Who may move a household into each status by some step: who may settle concurrent values on it.
    static var movers: [WorkflowStatus: Set<Role>] {
        var out = Dictionary(uniqueKeysWithValues: WorkflowStatus.allCases.map { ($0, Set<Role>()) })
        for (pair, roles) in makers { out[WorkflowStatus(rawValue: String(pair.split(separator: "→")[1]))!]!.formUnion(roles) }
        return out
    }

    @Test("the tables cover every status")
    func tablesAreComplete() {
        #expect(Set(Self.allowed.keys) == Set(WorkflowStatus.allCases))
        #expect(Set(Self.makers.keys) == Set(Workflow.steps.map { "\($0.from.rawValue)→\($0.to.rawValue)" }))
        #expect(Workflow.steps.count == Self.makers.count, "a step is listed twice")
        #expect(WorkflowStatus.allCases.count == 10)
    }

    @Test("each pair of statuses is allowed exactly when the policy table says so",
          arguments: WorkflowStatus.allCases, WorkflowStatus.allCases)
    func transition(from: WorkflowStatus, to: WorkflowStatus) {
        let expected = Self.allowed[from]!.contains(to)
        #expect(Workflow.isAllowed(from: from, to: to) == expected)
        #expect(Workflow.targets(from: from).contains(to) == expected)
        for role in Role.allCases {
            let mayMove = expected && Self.makers["\(from.rawValue)→\(to.rawValue)"]!.contains(role)
            do {
                try Workflow.check(from: from, to: to, by: role)
                #expect(mayMove, "\(role) moved \(from) → \(to)")
            } catch {
                #expect(!mayMove, "\(role) refused \(from) → \(to): \(error)")
                // A forbidden step is reported as such whoever tries it; a role only after that.
                #expect(error.code == (expected ? .roleNotAllowed : .invalidTransition))
                #expect(error.message.contains(expected ? role.rawValue : from.rawValue))
                #expect(error.message.contains(to.rawValue))
            }
        }
    }

    @Test("the roles that may move a household into each status", arguments: WorkflowStatus.allCases)
    func rolesPerTarget(target: WorkflowStatus) {
        #expect(Workflow.roles(into: target) == Self.movers[target]!)
        #expect(!Workflow.roles(into: target).contains(.citySupervisor))
        #expect(!Workflow.roles(into: target).contains(.administrator))
    }

    @Test("a new household starts as an application")
    func initialStatus() {
        #expect(Workflow.initial == .applied)
        #expect(!Workflow.initial.isCovered)
    }

    /// Statuses reachable from `start` without passing through `avoiding`.
    static func reachable(from start: WorkflowStatus, avoiding: WorkflowStatus) -> Set<WorkflowStatus> {
        var seen: Set<WorkflowStatus> = [start], queue = [start]
        while let s = queue.popLast() {
            for t in Workflow.targets(from: s) where t != avoiding && !seen.contains(t) {
                seen.insert(t)
                queue.append(t)
            }
        }
        return seen
    }

    @Test("no step of the application is ever skipped on the way to coverage",
          arguments: [WorkflowStatus.investigated, .townshipReviewed, .publicNotice, .countyConfirmed])
    func noStepSkipped(step: WorkflowStatus) {
        #expect(!Self.reachable(from: .applied, avoiding: step).contains(.covered))
        // …while with every step in place, coverage is reachable.
        #expect(Self.reachable(from: .applied, avoiding: .declined).contains(.covered))
    }

    @Test("a household leaves coverage only through a review, and re-enters only by a new application")
    func leavingAndReturning() {
        #expect(!Self.reachable(from: .covered, avoiding: .underReview).contains(.exited))
        #expect(!Self.reachable(from: .exited, avoiding: .applied).contains(.covered))
        #expect(!Self.reachable(from: .declined, avoiding: .investigated).contains(.covered))
    }

    @Test("a household's life walks the allowed steps with the right people")
    func happyPath() throws {
        let steps: [(WorkflowStatus, Role)] = [
            (.investigated, .villageAssistant), (.townshipReviewed, .townshipReviewer), (.publicNotice, .townshipReviewer),
            (.countyConfirmed, .countyConfirmer), (.covered, .countyConfirmer), (.underReview, .villageAssistant),
            (.covered, .countyConfirmer), (.underReview, .villageAssistant), (.adjusted, .countyConfirmer),
            (.covered, .countyConfirmer), (.underReview, .villageAssistant), (.exited, .countyConfirmer),
            (.applied, .villageAssistant), (.investigated, .villageAssistant), (.declined, .townshipReviewer),
        ]
        var status = Workflow.initial
        for (next, role) in steps {
            try Workflow.check(from: status, to: next, by: role)
            status = next
        }
        #expect(status == .declined)
    }

    @Test("the steps carry the policy's Chinese names")
    func chineseNames() {
        let names: [WorkflowStatus: String] = [
            .applied: "申请", .investigated: "入户调查", .townshipReviewed: "乡镇审核", .publicNotice: "公示",
            .countyConfirmed: "县级确认", .covered: "在保", .underReview: "复核", .adjusted: "调整",
            .exited: "清退", .declined: "不予纳入",
        ]
        for status in WorkflowStatus.allCases { #expect(status.chineseName == names[status]) }
    }

    @Test("a refused step names both statuses in Chinese for the worker")
    func refusalMessage() {
        let violation = #expect(throws: RuleViolation.self) {
            try Workflow.check(from: .applied, to: .covered, by: .countyConfirmer)
        }
        #expect(violation?.code == .invalidTransition)
        #expect(violation?.message.contains("申请") == true)
        #expect(violation?.message.contains("在保") == true)
    }
}
