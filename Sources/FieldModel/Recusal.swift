/// 回避: a worker does not investigate, review or decide on a close relative's household.
///
/// 社会救助经办人员在入户调查、审核确认等环节，涉及亲属的，应主动申请回避。The device refuses such a
/// write locally; the server, holding the current filings, refuses it again.
public enum Recusal {
    /// The standing filing that binds `worker` to `household`, if any (a withdrawn one binds nothing).
    public static func filing(binding worker: WorkerID, to household: RecordID,
                              in filings: some Sequence<RelativeFiling>) -> RelativeFiling? {
        filings.first { $0.staff == worker && $0.household == household && $0.isStanding }
    }

    /// May `worker` record a visit of `kind` at `household`? Eligibility visits (investigation,
    /// reviews) are refused for a filed relative; screening and follow-up visits are not.
    public static func checkVisit(_ kind: VisitKind, by worker: WorkerID, at household: RecordID,
                                  filings: some Sequence<RelativeFiling>) throws(RuleViolation) {
        guard kind.assessesEligibility, let f = filing(binding: worker, to: household, in: filings) else { return }
        throw RuleViolation(.recusal,
                            "worker \(worker) filed household \(household) as a close relative (\(f.relation.rawValue)) on \(f.filedOn): may not record a \(kind.rawValue) visit")
    }

    /// May `worker` change `field` of `household`? Eligibility fields (merge policy `review`) and
    /// the workflow status are refused for a filed relative; contact fields are not.
    public static func checkFieldWrite(_ field: FieldSpec, by worker: WorkerID, at household: RecordID,
                                       filings: some Sequence<RelativeFiling>) throws(RuleViolation) {
        guard field.merge == .review || field.merge == .workflow,
              let f = filing(binding: worker, to: household, in: filings) else { return }
        throw RuleViolation(.recusal,
                            "worker \(worker) filed household \(household) as a close relative (\(f.relation.rawValue)): may not change \(field.name)")
    }

    /// May `worker` add or remove records of `household` (delete it, add or delete a member)? A
    /// member changes who counts in the household, so the size its assistance is figured on: it
    /// is refused for a filed relative, as an eligibility field is.
    public static func checkMembership(_ action: String, by worker: WorkerID, at household: RecordID,
                                       filings: some Sequence<RelativeFiling>) throws(RuleViolation) {
        guard let f = filing(binding: worker, to: household, in: filings) else { return }
        throw RuleViolation(.recusal,
                            "worker \(worker) filed household \(household) as a close relative (\(f.relation.rawValue)): may not \(action)")
    }
}
