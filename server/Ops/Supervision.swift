import FieldModel

/// 督办: the work behind the sync, counted per place from the synced records. Five queues:
///
/// - `overdue` — covered households whose next review (`ReviewCadence`) fell due before today;
/// - `due` — covered households whose next review falls due today or within the next
///   `SupervisionWindow.dueDays` days;
/// - `investigated` — households at `investigated`: the household investigation is done and
///   the township's review (乡镇审核) is what they wait for;
/// - `notice` — households at `publicNotice`: what the county's confirmation (县级确认) waits
///   for. A county officer's queue is the households whose workflow step now is theirs, as a
///   township reviewer's is the investigated ones; whether a notice's period has ended with its
///   objections resolved is the gate the county checks on each household when confirming (the
///   server refuses a confirmation before it), not a second queue;
/// - `leads` — discovery leads (主动发现) still `open`: not followed up.
public enum SupervisionKind: String, Sendable, Hashable, CaseIterable, Codable {
    case overdue, due, investigated, notice, leads

    /// What staff call the queue, Chinese first.
    public var label: (chinese: String, english: String) {
        switch self {
        case .overdue: ("逾期未复核", "reviews overdue")
        case .due: ("\(SupervisionWindow.dueDays) 天内应复核", "reviews due in \(SupervisionWindow.dueDays) days")
        case .investigated: ("待乡镇审核", "awaiting township review")
        case .notice: ("公示待县级确认", "awaiting county confirmation")
        case .leads: ("线索未跟进", "leads not followed up")
        }
    }
}

/// A place's five counts.
public struct SupervisionCounts: Sendable, Hashable, Codable {
    public var overdue = 0, due = 0, investigated = 0, notice = 0, leads = 0

    public init(overdue: Int = 0, due: Int = 0, investigated: Int = 0, notice: Int = 0, leads: Int = 0) {
        self.overdue = overdue
        self.due = due
        self.investigated = investigated
        self.notice = notice
        self.leads = leads
    }

    public subscript(kind: SupervisionKind) -> Int {
        get {
            switch kind {
            case .overdue: overdue
            case .due: due
            case .investigated: investigated
            case .notice: notice
            case .leads: leads
            }
        }
        set {
            switch kind {
            case .overdue: overdue = newValue
            case .due: due = newValue
            case .investigated: investigated = newValue
            case .notice: notice = newValue
            case .leads: leads = newValue
            }
        }
    }

    public static func + (a: Self, b: Self) -> Self {
        var sum = a
        for kind in SupervisionKind.allCases { sum[kind] += b[kind] }
        return sum
    }
}

/// The day the queues are counted on (China Standard Time) and the window of `due`.
public struct SupervisionWindow: Sendable, Hashable {
    /// A review is "due" when it falls due within this many days, today included.
    public static let dueDays = 30

    public let today: CalendarDate

    public init(today: CalendarDate) { self.today = today }

    public init(nowMilliseconds: Int64) { today = CalendarDate.chinaStandard(millisecondsSinceEpoch: nowMilliseconds) }

    /// The last day of the `due` window.
    public var lastDueDay: CalendarDate { today.adding(days: Self.dueDays - 1) }

    /// The queue a covered household's next review date puts it in: overdue, due, or none.
    public func reviewKind(dueOn: CalendarDate?) -> SupervisionKind? {
        guard let dueOn else { return nil }
        if dueOn < today { return .overdue }
        return dueOn <= lastDueDay ? .due : nil
    }
}

/// One line of a drill-down: a household (its step and next review) or a lead.
public struct SupervisionItem: Sendable, Hashable {
    public var id: RecordID
    public var status: WorkflowStatus?
    public var dueOn: CalendarDate?

    public init(id: RecordID, status: WorkflowStatus?, dueOn: CalendarDate?) {
        self.id = id
        self.status = status
        self.dueOn = dueOn
    }
}

/// Where the supervision facts are kept (`SupervisionFacts`), and the two questions they answer.
/// Both backends keep them in the push's transaction, so a count never lags a write.
public protocol SupervisionStore: Sendable {
    /// Counts of the villages whose codes fall in `villages`, grouped by place: the village code
    /// divided by `placeDivisor` (1: villages, 1,000: townships, 1,000,000: counties). Places
    /// with nothing to count are absent.
    /// - Complexity: O(households and open leads of the range), read from an index on village.
    func supervisionCounts(villages: Range<Int64>, placeDivisor: Int64, window: SupervisionWindow) async throws -> [Int64: SupervisionCounts]

    /// The households of `village` in queue `kind` (the leads, for `.leads`), in order of due
    /// date then id, leaving out the households `staff` filed as close relatives.
    func supervisionItems(village: VillageCode, kind: SupervisionKind, window: SupervisionWindow,
                          hidingRelativesOf staff: WorkerID) async throws -> [SupervisionItem]
}
