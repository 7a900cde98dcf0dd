import FieldModel

/// Dates a village's households share: its notices and its screening campaign.
struct VillageCalendar {
    let asOf: CalendarDate
    /// Visits on or after this date are emitted: a year of history, plus a month so the latest
    /// yearly review (due up to ten days late) always falls inside.
    let historyStart: CalendarDate
    /// The notice running now (公示), for households in `publicNotice`.
    let noticeStart: CalendarDate
    /// The notice before it, for households the county has since confirmed.
    let previousNoticeStart: CalendarDate
    /// The day of the village's screening campaign (拉网式排查).
    let screeningOn: CalendarDate

    init(asOf: CalendarDate, _ g: inout SeededGenerator) {
        self.asOf = asOf
        historyStart = asOf.adding(months: -13)
        noticeStart = asOf.adding(days: -g.int(in: 0...6))
        previousNoticeStart = asOf.adding(days: -g.int(in: 13...25))
        screeningOn = asOf.adding(days: -g.int(in: 30...330))
    }
}

/// A review as it happened: when, and what the worker recommended.
struct ReviewEvent {
    var date: CalendarDate
    var recommendation: Recommendation
}

/// A household's path through the workflow, consistent with its current status: every step
/// it has reached has a date, in order, none after `asOf`, none skipped.
struct HouseholdTimeline {
    var appliedOn: CalendarDate
    var investigatedOn: CalendarDate?
    /// The township review (乡镇审核).
    var reviewedOn: CalendarDate?
    /// The first day of the public notice that listed the household (公示, seven days).
    var noticeStartsOn: CalendarDate?
    /// The county's confirmation, the day after the notice ended.
    var confirmedOn: CalendarDate?
    var coveredSince: CalendarDate?
    /// When the household was declined or exited.
    var leftOn: CalendarDate?
    var reviews: [ReviewEvent] = []

    var lastReviewedOn: CalendarDate? { reviews.last?.date }

    /// The steps before review, working back from the step the household is at: investigated
    /// days after the application, reviewed by the township, listed on a seven-day notice that
    /// starts after the review, confirmed by the county the day after the notice ends.
    static func draw(_ status: WorkflowStatus, _ cal: VillageCalendar, _ g: inout SeededGenerator) -> HouseholdTimeline {
        let a = cal.asOf
        let noticeDays = PublicNotice.minimumDays
        func back(_ from: CalendarDate, _ range: ClosedRange<Int>) -> CalendarDate { from.adding(days: -g.int(in: range)) }
        func fromReview(_ reviewed: CalendarDate, notice: CalendarDate? = nil, confirmed: CalendarDate? = nil) -> HouseholdTimeline {
            let inv = back(reviewed, 5...15)
            return HouseholdTimeline(appliedOn: back(inv, 3...12), investigatedOn: inv, reviewedOn: reviewed, noticeStartsOn: notice, confirmedOn: confirmed)
        }
        switch status {
        case .applied:
            return HouseholdTimeline(appliedOn: back(a, 0...10))
        case .investigated:
            let inv = back(a, 0...12)
            return HouseholdTimeline(appliedOn: back(inv, 3...12), investigatedOn: inv)
        case .townshipReviewed:
            return fromReview(back(a, 0...10))
        case .publicNotice:
            return fromReview(back(cal.noticeStart, 1...5), notice: cal.noticeStart)
        case .countyConfirmed:
            return fromReview(back(cal.previousNoticeStart, 1...5), notice: cal.previousNoticeStart,
                              confirmed: cal.previousNoticeStart.adding(days: noticeDays))
        case .declined:
            let declined = back(a, 5...200)
            let applied = back(declined, 15...40)
            return HouseholdTimeline(appliedOn: applied, investigatedOn: applied.adding(days: g.int(in: 3...12)),
                                     leftOn: declined)
        case .covered, .underReview, .adjusted, .exited:
            // Long-standing households date back up to ten years; those that have since been
            // reviewed into another step were covered long enough to have been reviewed. The
            // notice ran the week before coverage, the township review the day before it.
            let earliest = status == .covered ? 0 : (status == .exited ? 400 : 200)
            let covered = back(a, earliest...3650)
            let applied = back(covered, 30...60)
            let notice = covered.adding(days: -noticeDays)
            return HouseholdTimeline(appliedOn: applied, investigatedOn: applied.adding(days: g.int(in: 3...12)),
                                     reviewedOn: notice.adding(days: -1), noticeStartsOn: notice, confirmedOn: covered, coveredSince: covered)
        }
    }

    /// Reviews from coverage to `asOf` at `cadence`, each due a cadence after the one before and
    /// done up to 20 days early or 10 days late; then the last one shaped to fit the status.
    mutating func scheduleReviews(_ cadence: ReviewCadence, status: WorkflowStatus, _ cal: VillageCalendar,
                                  _ g: inout SeededGenerator) {
        guard let covered = coveredSince else { return }
        var last = covered
        while true {
            let next = last.adding(months: cadence.months).adding(days: g.int(in: -20...10))
            guard next > last, next <= cal.asOf else { break }
            reviews.append(ReviewEvent(date: next, recommendation: g.chance(0.12) ? .adjust : .maintain))
            last = next
        }
        switch status {
        case .underReview, .adjusted:
            // A review in the last weeks put the household in this step; add an early one (a
            // reported change of circumstances) if the schedule has none that recent.
            if reviews.last.map({ $0.date < cal.asOf.adding(days: -30) }) ?? true {
                let date = max(last.adding(days: 1), cal.asOf.adding(days: -g.int(in: 0...20)))
                reviews.append(ReviewEvent(date: min(date, cal.asOf), recommendation: .maintain))
            }
            reviews[reviews.count - 1].recommendation = status == .adjusted ? .adjust : g.pick([.maintain, .adjust, .exit])
        case .covered:
            // Some reviews run late (复核不及时): the one now due has not been done yet. (Only where
            // the review before it falls in the year of history, whose visits record it.)
            if reviews.count >= 2, reviews[reviews.count - 2].date >= cal.historyStart, g.chance(0.12) { reviews.removeLast() }
        case .exited:
            // The household left at one of the reviews of the past year; later ones never happened.
            let recent = reviews.indices.filter { reviews[$0].date >= cal.historyStart }
            if let k = recent.isEmpty ? nil : g.pick(recent) {
                reviews.removeSubrange((k + 1)...)
            } else {
                reviews.append(ReviewEvent(date: cal.asOf.adding(days: -g.int(in: 10...60)), recommendation: .exit))
            }
            reviews[reviews.count - 1].recommendation = .exit
            leftOn = reviews[reviews.count - 1].date
        default:
            break
        }
    }
}
