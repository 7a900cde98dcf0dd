/// The allowed workflow transitions and who may make them (application → investigation →
/// township review → public notice → county confirmation → covered → periodic review →
/// adjust or exit), read from the step table `Workflow.steps`. Nothing is skipped; nothing goes
/// backwards except a new application.
public enum Workflow {
    /// The status a new household starts in.
    public static let initial: WorkflowStatus = .applied

    private static let byPair: [Pair: WorkflowStep] = Dictionary(uniqueKeysWithValues: steps.map { (Pair(from: $0.from, to: $0.to), $0) })

    private struct Pair: Hashable {
        let from: WorkflowStatus
        let to: WorkflowStatus
    }

    /// The step from `from` to `to`, nil when the table has none.
    public static func step(from: WorkflowStatus, to: WorkflowStatus) -> WorkflowStep? {
        byPair[Pair(from: from, to: to)]
    }

    /// The steps reachable from `status` in one transition.
    public static func targets(from status: WorkflowStatus) -> Set<WorkflowStatus> {
        Set(steps.filter { $0.from == status }.map(\.to))
    }

    public static func isAllowed(from: WorkflowStatus, to: WorkflowStatus) -> Bool {
        step(from: from, to: to) != nil
    }

    /// The roles that may make some step into `target`: who may resolve concurrent values to it.
    public static func roles(into target: WorkflowStatus) -> Set<Role> {
        steps.filter { $0.to == target }.reduce(into: Set<Role>()) { $0.formUnion($1.roles) }
    }

    /// Checks the step's shape and role only: the table allows `from → to` and `role` may make it.
    /// `check(_:by:cycle:notices:today:settings:)` adds separation of duties and the notice gates.
    public static func check(from: WorkflowStatus, to: WorkflowStatus, by role: Role) throws(RuleViolation) {
        _ = try allowedStep(from: from, to: to, by: role)
    }

    static func allowedStep(from: WorkflowStatus, to: WorkflowStatus, by role: Role) throws(RuleViolation) -> WorkflowStep {
        guard let step = step(from: from, to: to) else {
            throw RuleViolation(.invalidTransition,
                                "\(from.rawValue) (\(from.chineseName)) → \(to.rawValue) (\(to.chineseName)) is not an allowed step")
        }
        guard step.roles.contains(role) else {
            throw RuleViolation(.roleNotAllowed,
                                "a \(role.rawValue) may not move a household from \(from.rawValue) into \(to.rawValue); \(step.roles.map(\.rawValue).sorted().joined(separator: " or ")) may")
        }
        return step
    }
}

extension Schema {
    /// Whether a workflow field may move from `from` to `to`: the shape merging applies to every
    /// `transition`, read from `Workflow`'s table. A step to the same value re-affirms one of
    /// several concurrent values (a reviewer's resolution); whether there is anything to
    /// resolve, and whether the writer may, is decided against stored state by the server and
    /// the device, not here.
    public static func isAllowedTransition(from: FieldValue, to: FieldValue) -> Bool {
        guard let f = from.textValue.flatMap(WorkflowStatus.init(rawValue:)),
              let t = to.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return false }
        return f == t || Workflow.isAllowed(from: f, to: t)
    }
}
