/// The allowed workflow transitions and who may make them (application → investigation →
/// township review → public notice → county confirmation → covered → periodic review →
/// adjust or exit). Nothing is skipped; nothing goes backwards except a new application.
public enum Workflow {
    /// The steps reachable from `status` in one transition.
    public static func targets(from status: WorkflowStatus) -> Set<WorkflowStatus> {
        switch status {
        case .applied: [.investigated]
        case .investigated: [.townshipReviewed, .declined]
        case .townshipReviewed: [.publicNotice, .declined]
        case .publicNotice: [.countyConfirmed, .declined]
        case .countyConfirmed: [.covered]
        case .covered: [.underReview]
        case .underReview: [.covered, .adjusted, .exited]
        case .adjusted: [.covered]
        case .exited, .declined: [.applied]
        }
    }

    public static func isAllowed(from: WorkflowStatus, to: WorkflowStatus) -> Bool {
        targets(from: from).contains(to)
    }

    /// The roles that may move a household into `target`.
    public static func roles(into target: WorkflowStatus) -> Set<Role> {
        switch target {
        case .applied, .investigated, .underReview: [.villageAssistant, .townshipReviewer, .countyConfirmer]
        case .townshipReviewed, .publicNotice: [.townshipReviewer, .countyConfirmer]
        case .declined, .adjusted: [.townshipReviewer, .countyConfirmer]
        case .countyConfirmed, .covered, .exited: [.countyConfirmer]
        }
    }

    /// Checks one transition made by a worker of `role`.
    public static func check(from: WorkflowStatus, to: WorkflowStatus, by role: Role) throws(RuleViolation) {
        guard isAllowed(from: from, to: to) else {
            throw RuleViolation(.invalidTransition,
                                "\(from.rawValue) (\(from.chineseName)) → \(to.rawValue) (\(to.chineseName)) is not an allowed step")
        }
        guard roles(into: to).contains(role) else {
            throw RuleViolation(.roleNotAllowed, "a \(role.rawValue) may not move a household into \(to.rawValue)")
        }
    }

    /// The status a new household starts in.
    public static let initial: WorkflowStatus = .applied
}

extension Schema {
    /// Whether a workflow field may move from `from` to `to`: the check merging applies to every
    /// `transition`, read from `Workflow`'s table.
    public static func isAllowedTransition(from: FieldValue, to: FieldValue) -> Bool {
        // A step to the same value re-affirms it: how a reviewer resolves concurrent transitions.
        guard let f = from.textValue.flatMap(WorkflowStatus.init(rawValue:)),
              let t = to.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return false }
        return f == t || Workflow.isAllowed(from: f, to: t)
    }
}
