/// 动态管理: how often a covered household is reviewed, and when the next review is due.
///
/// 对短期内经济状况变化不大的低保家庭每年核查一次；对收入来源不固定、家庭成员有劳动能力的低保家庭，
/// 每半年核查一次。
public enum ReviewCadence: String, Sendable, Hashable, Codable, CaseIterable {
    case yearly
    case everySixMonths

    public var months: Int { self == .yearly ? 12 : 6 }

    /// The visit kind that carries out a review at this cadence.
    public var visitKind: VisitKind { self == .yearly ? .annualReview : .semiannualReview }

    /// Unstable income, or any present member able to work, means every six months; otherwise yearly.
    public static func cadence(classification: EconomicClassification, members: [Member]) -> ReviewCadence {
        cadence(classification: classification, anyoneAbleToWork: members.contains(where: countsAsAbleToWork))
    }

    /// The same rule when what is known of the members is only whether any present one can work.
    public static func cadence(classification: EconomicClassification, anyoneAbleToWork: Bool) -> ReviewCadence {
        classification == .unstableIncome || anyoneAbleToWork ? .everySixMonths : .yearly
    }

    /// Whether `member` makes the household's reviews six-monthly: present and able to work.
    public static func countsAsAbleToWork(_ member: Member) -> Bool { countsAsAbleToWork(status: member.status, labourAbility: member.labourAbility) }

    public static func countsAsAbleToWork(status: MemberStatus, labourAbility: LabourAbility) -> Bool {
        status == .present && labourAbility == .able
    }

    /// When the next review falls due: a cadence after the last review, or after coverage began
    /// for a household never reviewed. Nil for a household not covered.
    public static func nextDue(for household: Household, members: [Member]) -> CalendarDate? {
        nextDue(status: household.status, lastReviewedOn: household.lastReviewedOn, coveredSince: household.coveredSince,
                cadence: cadence(classification: household.classification, members: members))
    }

    /// The same from the few facts the rule reads (what the server's supervision keeps).
    public static func nextDue(status: WorkflowStatus, lastReviewedOn: CalendarDate?, coveredSince: CalendarDate?,
                               cadence: ReviewCadence) -> CalendarDate? {
        guard status.isCovered, let base = lastReviewedOn ?? coveredSince else { return nil }
        return base.adding(months: cadence.months)
    }

    /// Whether the household is due for review on `date` (due that day or overdue).
    public static func isDue(_ household: Household, members: [Member], on date: CalendarDate) -> Bool {
        guard let due = nextDue(for: household, members: members) else { return false }
        return due <= date
    }
}
