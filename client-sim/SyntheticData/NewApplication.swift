import FieldModel

extension Household {
    /// This household's family as a field worker enters it anew (申请): at `applied`, dated
    /// `today`, under `id`, with nothing set that only a reviewer sets (standard, amount,
    /// coverage and review dates). A valid create for a village assistant or township reviewer,
    /// which its creator may delete while it stays an untouched application.
    public func asNewApplication(id: RecordID, on today: CalendarDate) -> Household {
        var h = self
        h.id = id
        h.status = Workflow.initial
        h.monthlyStandardFen = 0
        h.monthlyAmountFen = 0
        h.coveredSince = nil
        h.lastReviewedOn = nil
        h.appliedOn = today
        return h
    }
}
