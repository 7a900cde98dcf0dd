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

    /// Who moves a household into each step (DESIGN §1): village assistants take applications,
    /// investigate and start reviews; township staff review, publish notices, decline and adjust;
    /// county staff confirm, cover and exit, and may do what township staff do. City supervisors
    /// and administrators change no household.
    static let movers: [WorkflowStatus: Set<Role>] = [
        .applied: [.villageAssistant, .townshipReviewer, .countyConfirmer],
        .investigated: [.villageAssistant, .townshipReviewer, .countyConfirmer],
        .underReview: [.villageAssistant, .townshipReviewer, .countyConfirmer],
        .townshipReviewed: [.townshipReviewer, .countyConfirmer],
        .publicNotice: [.townshipReviewer, .countyConfirmer],
        .declined: [.townshipReviewer, .countyConfirmer],
        .adjusted: [.townshipReviewer, .countyConfirmer],
        .countyConfirmed: [.countyConfirmer],
        .covered: [.countyConfirmer],
        .exited: [.countyConfirmer],
    ]

    @Test("the tables cover every status")
    func tablesAreComplete() {
        #expect(Set(Self.allowed.keys) == Set(WorkflowStatus.allCases))
        #expect(Set(Self.movers.keys) == Set(WorkflowStatus.allCases))
        #expect(WorkflowStatus.allCases.count == 10)
    }

    @Test("each pair of statuses is allowed exactly when the policy table says so",
          arguments: WorkflowStatus.allCases, WorkflowStatus.allCases)
    func transition(from: WorkflowStatus, to: WorkflowStatus) {
        let expected = Self.allowed[from]!.contains(to)
        #expect(Workflow.isAllowed(from: from, to: to) == expected)
        #expect(Workflow.targets(from: from).contains(to) == expected)
        for role in Role.allCases {
            let mayMove = expected && Self.movers[to]!.contains(role)
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

    @Test("the roles that may move a household into each step", arguments: WorkflowStatus.allCases)
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
            (.covered, .countyConfirmer), (.underReview, .villageAssistant), (.adjusted, .townshipReviewer),
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
