/// 回避: a worker does not investigate, review or decide on a close relative's household.
///
/// 社会救助经办人员在入户调查、审核确认等环节，涉及亲属的，应主动申请回避。The device refuses such a
/// write locally; the server, holding the current filings, refuses it again.
public enum Recusal {
    /// The filing that binds `worker` to `household`, if any.
    public static func filing(binding worker: WorkerID, to household: RecordID,
                              in filings: some Sequence<RelativeFiling>) -> RelativeFiling? {
        filings.first { $0.staff == worker && $0.household == household }
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
}
