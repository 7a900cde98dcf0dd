/// What a worker did in a household's application cycle, which keeps them from a later step
/// (separation of duties: 入户调查、审核、确认 by different people).
public enum Duty: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Took the application (the household's create, or a new application after an exit or a decline).
    case applicant
    /// Recorded the household investigation (applied → investigated).
    case investigator
    /// Recorded the township review (investigated → townshipReviewed).
    case townshipReviewer
    /// Started a periodic review (covered → underReview).
    case periodicReviewer

    public var chineseName: String {
        switch self {
        case .applicant: "申请受理"
        case .investigator: "入户调查"
        case .townshipReviewer: "乡镇审核"
        case .periodicReviewer: "复核"
        }
    }

    public static func < (a: Duty, b: Duty) -> Bool { a.rawValue < b.rawValue }
}

/// A condition on the household's village records that a step needs besides the right person.
public enum WorkflowGate: String, Sendable, Hashable, Codable, CaseIterable {
    /// A public notice of the household's village that lists the household has started (公示).
    case noticeStarted
    /// A public notice listing the household has run its whole period, at least the minimum
    /// length, and every objection recorded on it is resolved.
    case noticeCompleted
}

/// One allowed step of the workflow: who may make it, who may not, and what it needs.
///
/// Plain data (`Codable`), so the table can be exported (protocol/schema.json) and documented (SPEC §12).
public struct WorkflowStep: Sendable, Hashable, Codable {
    public let from: WorkflowStatus
    public let to: WorkflowStatus
    /// The roles that may make the step.
    public let roles: Set<Role>
    /// The duty the step's author takes on in the household's cycle, if any.
    public let duty: Duty?
    /// Workers who hold any of these duties in the current cycle may not make the step.
    public let notBy: Set<Duty>
    public let gates: Set<WorkflowGate>

    public init(_ from: WorkflowStatus, _ to: WorkflowStatus, by roles: Set<Role>, duty: Duty? = nil,
                notBy: Set<Duty> = [], gates: Set<WorkflowGate> = []) {
        self.from = from
        self.to = to
        self.roles = roles
        self.duty = duty
        self.notBy = notBy
        self.gates = gates
    }

    /// Sets in a fixed order (roles and gates as declared, duties by name), so the encoded table
    /// is the same in every process (protocol/schema.json).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(Role.allCases.filter(roles.contains), forKey: .roles)
        try c.encodeIfPresent(duty, forKey: .duty)
        try c.encode(notBy.sorted(), forKey: .notBy)
        try c.encode(WorkflowGate.allCases.filter(gates.contains), forKey: .gates)
    }
}

extension Workflow {
    /// Every allowed step, from the policy (运民发〔2022〕11号 and the national 审核确认办法 it
    /// applies): 县级确认、乡镇审核、村(居)民委员会配合调查. The village assistant and the township
    /// take applications and carry out the household investigation; the township reviews,
    /// publishes the notice and may decline before it; the county confirms, covers, adjusts,
    /// exits and declines at the notice stage; a periodic review (复核) is started by the village
    /// or the township and decided by the county.
    public static let steps: [WorkflowStep] = [
        WorkflowStep(.applied, .investigated, by: fieldWork, duty: .investigator),
        WorkflowStep(.investigated, .townshipReviewed, by: township, duty: .townshipReviewer, notBy: [.investigator]),
        WorkflowStep(.investigated, .declined, by: township, notBy: [.investigator]),
        WorkflowStep(.townshipReviewed, .publicNotice, by: township, gates: [.noticeStarted]),
        WorkflowStep(.townshipReviewed, .declined, by: township, notBy: [.investigator]),
        WorkflowStep(.publicNotice, .countyConfirmed, by: county, notBy: decisionExclusions, gates: [.noticeCompleted]),
        WorkflowStep(.publicNotice, .declined, by: county, notBy: decisionExclusions),
        WorkflowStep(.countyConfirmed, .covered, by: county, notBy: decisionExclusions),
        WorkflowStep(.covered, .underReview, by: fieldWork, duty: .periodicReviewer),
        WorkflowStep(.underReview, .covered, by: county, notBy: [.periodicReviewer]),
        WorkflowStep(.underReview, .adjusted, by: county, notBy: [.periodicReviewer]),
        WorkflowStep(.underReview, .exited, by: county, notBy: [.periodicReviewer]),
        WorkflowStep(.adjusted, .covered, by: county),
        WorkflowStep(.declined, .applied, by: fieldWork, duty: .applicant),
        WorkflowStep(.exited, .applied, by: fieldWork, duty: .applicant),
    ]

    /// Who takes applications and visits households: the village assistant and the township.
    public static let fieldWork: Set<Role> = [.villageAssistant, .townshipReviewer]
    static let township: Set<Role> = [.townshipReviewer]
    static let county: Set<Role> = [.countyConfirmer]
    /// Nobody decides on a household they applied for, investigated or reviewed at the township.
    static let decisionExclusions: Set<Duty> = [.applicant, .investigator, .townshipReviewer]

    /// The duty a household's create gives its author (the application).
    public static let creationDuty: Duty = .applicant
}
