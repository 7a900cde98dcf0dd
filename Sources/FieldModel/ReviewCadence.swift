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
        if classification == .unstableIncome { return .everySixMonths }
        let anyoneAbleToWork = members.contains { $0.status == .present && $0.labourAbility == .able }
        return anyoneAbleToWork ? .everySixMonths : .yearly
    }

    /// When the next review falls due: a cadence after the last review, or after coverage began
    /// for a household never reviewed. Nil for a household not covered.
    public static func nextDue(for household: Household, members: [Member]) -> CalendarDate? {
        guard household.status.isCovered else { return nil }
        guard let base = household.lastReviewedOn ?? household.coveredSince else { return nil }
        return base.adding(months: cadence(classification: household.classification, members: members).months)
    }

    /// Whether the household is due for review on `date` (due that day or overdue).
    public static func isDue(_ household: Household, members: [Member], on date: CalendarDate) -> Bool {
        guard let due = nextDue(for: household, members: members) else { return false }
        return due <= date
    }
}
