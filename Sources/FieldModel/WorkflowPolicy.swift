/// Who held which duty in a household's current application cycle (since its latest
/// application): what separation of duties reads.
///
/// The server fills it from its workflow trail of the cycle; a device from what it holds (the
/// record's creator, the author of the current status, its own writes), which may be less.
public struct WorkflowCycle: Sendable, Hashable {
    public private(set) var holders: [Duty: Set<WorkerID>] = [:]

    public init() {}

    public mutating func record(_ duty: Duty, by worker: WorkerID) {
        holders[duty, default: []].insert(worker)
    }

    /// The duties `worker` holds in the cycle.
    public func duties(of worker: WorkerID) -> Set<Duty> {
        Set(holders.compactMap { $0.value.contains(worker) ? $0.key : nil })
    }
}

/// A public notice with what a gate needs beyond its values.
public struct NoticeStanding: Sendable, Hashable {
    public var notice: PublicNotice
    /// False while the notice's objection figures hold concurrent values nobody has settled:
    /// then its objections cannot count as resolved.
    public var objectionsSettled: Bool

    public init(_ notice: PublicNotice, objectionsSettled: Bool = true) {
        self.notice = notice
        self.objectionsSettled = objectionsSettled
    }
}

/// The figures of the policy a deployment may set. Defaults are the national rules.
public struct PolicySettings: Sendable, Hashable, Codable {
    /// The shortest public notice, in days counting both ends (公示期不少于7天).
    public var noticeMinimumDays = PublicNotice.minimumDays
    /// The largest attachment accepted, in bytes (a reduced phone photo is 150–400 KB; a
    /// multi-page PDF scan a few MB); at most `Attachment.schemaMaxBytes`.
    public var attachmentMaxBytes = PolicySettings.defaultAttachmentMaxBytes

    public static let defaultAttachmentMaxBytes: Int64 = 8 << 20

    public init(noticeMinimumDays: Int = PublicNotice.minimumDays, attachmentMaxBytes: Int64 = PolicySettings.defaultAttachmentMaxBytes) {
        self.noticeMinimumDays = noticeMinimumDays
        self.attachmentMaxBytes = attachmentMaxBytes
    }

    public static let standard = PolicySettings()
}

extension Workflow {
    /// Checks one step of `household` by `worker` against the whole policy, in this order: the
    /// step is in the table (`invalidTransition`), the worker's role may make it
    /// (`roleNotAllowed`), the worker holds none of the duties it excludes in the current cycle
    /// (`separationOfDuties`), and its gates hold for the notices of the household's village
    /// (`noticeNotReady`). Returns the step.
    @discardableResult
    public static func check(from: WorkflowStatus, to: WorkflowStatus, by worker: Worker, household: RecordID,
                             cycle: WorkflowCycle, notices: [NoticeStanding], today: CalendarDate,
                             settings: PolicySettings = .standard) throws(RuleViolation) -> WorkflowStep {
        let step = try allowedStep(from: from, to: to, by: worker.role)
        let conflicting = cycle.duties(of: worker.id).intersection(step.notBy)
        if let duty = conflicting.sorted().first {
            throw RuleViolation(.separationOfDuties,
                                "worker \(worker.id) was the household's \(duty.rawValue) (\(duty.chineseName)) in this application: may not move household \(household) from \(from.rawValue) into \(to.rawValue) (\(to.chineseName)); another worker must")
        }
        for gate in WorkflowGate.allCases where step.gates.contains(gate) {
            try NoticeGate.check(gate, household: household, notices: notices, today: today, settings: settings)
        }
        return step
    }
}

/// The notice gates (公示): read from the public notices of the household's village.
public enum NoticeGate {
    public static func check(_ gate: WorkflowGate, household: RecordID, notices: [NoticeStanding], today: CalendarDate,
                             settings: PolicySettings) throws(RuleViolation) {
        let listing = notices.filter { $0.notice.households.contains(household) }
        guard !listing.isEmpty else {
            throw RuleViolation(.noticeNotReady, "no public notice of the village lists household \(household); publish one first (公示)")
        }
        switch gate {
        case .noticeStarted:
            guard listing.contains(where: { $0.notice.startsOn <= today }) else {
                let first = listing.map(\.notice.startsOn).min()!
                throw RuleViolation(.noticeNotReady, "the notice listing household \(household) starts on \(first), after today \(today)")
            }
        case .noticeCompleted:
            guard !listing.contains(where: { standing in completed(standing, today: today, settings: settings) }) else { return }
            throw RuleViolation(.noticeNotReady, listing.map { why(notCompleted: $0, today: today, settings: settings) }.joined(separator: "; "))
        }
    }

    /// The notice ran its whole period (ended before today, at least the minimum length) and
    /// every objection recorded on it is resolved.
    public static func completed(_ standing: NoticeStanding, today: CalendarDate, settings: PolicySettings) -> Bool {
        let n = standing.notice
        return n.endsOn < today && n.periodDays >= settings.noticeMinimumDays && standing.objectionsSettled && n.objectionsResolved
    }

    static func why(notCompleted standing: NoticeStanding, today: CalendarDate, settings: PolicySettings) -> String {
        let n = standing.notice
        let name = "notice \(n.id) (\(n.startsOn) … \(n.endsOn))"
        if n.periodDays < settings.noticeMinimumDays { return "\(name) runs \(n.periodDays) days, under the minimum \(settings.noticeMinimumDays)" }
        if n.endsOn >= today { return "\(name) has not ended (today is \(today))" }
        if !standing.objectionsSettled { return "\(name) has concurrent objection figures waiting for a reviewer" }
        return "\(name) has \(n.objectionCount) objections, \(n.resolvedObjectionCount) resolved"
    }
}
