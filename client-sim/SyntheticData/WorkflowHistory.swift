import FieldModel

/// One step of a household's workflow as its generated history made it: who moved it from
/// which status to which, on which day. A household's steps replay along `Workflow.steps`.
public struct WorkflowStepRecord: Sendable, Hashable {
    public let household: RecordID
    public let village: VillageCode
    /// The status before; nil for the application (the household's create).
    public let from: WorkflowStatus?
    public let to: WorkflowStatus
    public let worker: WorkerID
    public let on: CalendarDate
}

/// The steps of one household, as the policy has them made (运民发〔2022〕11号): the village's
/// assistant takes the application, investigates and starts each periodic review; a township
/// reviewer, never the investigator, reviews, publishes the notice or declines; the county's
/// confirmer confirms after the notice, covers, and decides each review.
struct WorkflowHistory {
    let assistant: WorkerID
    let reviewer: WorkerID
    let confirmer: WorkerID

    func steps(for h: GeneratedHousehold) -> [WorkflowStepRecord] {
        let t = h.timeline
        var out: [WorkflowStepRecord] = []
        var status: WorkflowStatus?
        func step(_ to: WorkflowStatus, _ by: WorkerID, _ on: CalendarDate) {
            out.append(WorkflowStepRecord(household: h.household.id, village: h.household.village, from: status, to: to, worker: by, on: on))
            status = to
        }
        step(.applied, assistant, t.appliedOn)
        if let inv = t.investigatedOn { step(.investigated, assistant, inv) }
        if h.household.status == .declined, let left = t.leftOn {
            step(.declined, reviewer, left)
            return out
        }
        if let reviewed = t.reviewedOn { step(.townshipReviewed, reviewer, reviewed) }
        if let notice = t.noticeStartsOn { step(.publicNotice, reviewer, notice) }
        if let confirmed = t.confirmedOn { step(.countyConfirmed, confirmer, confirmed) }
        guard let covered = t.coveredSince else { return out }
        step(.covered, confirmer, covered)
        for (i, review) in t.reviews.enumerated() {
            step(.underReview, assistant, review.date)
            let last = i == t.reviews.count - 1
            if last && h.household.status == .underReview { break }
            switch review.recommendation {
            case .exit:
                step(.exited, confirmer, review.date)
            case .adjust:
                step(.adjusted, confirmer, review.date)
                if !(last && h.household.status == .adjusted) { step(.covered, confirmer, review.date) }
            case .maintain, .include, .none:
                step(.covered, confirmer, review.date)
            }
        }
        return out
    }
}
