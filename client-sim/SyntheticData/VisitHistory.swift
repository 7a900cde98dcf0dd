import FieldModel

/// The visits of the past year at one household, as its timeline implies: the investigation of
/// its application, its reviews at its cadence, a screening-campaign visit, a discovery follow-up.
///
/// Every visit is made by `worker`, an assistant of the village who has filed no relative there.
struct VisitHistory {
    let calendar: VillageCalendar
    let worker: WorkerID

    static let conditions = WeightedTable<LivingCondition>([(.adequate, 30), (.difficult, 58), (.severe, 12)])

    func visits(for h: GeneratedHousehold, screened: Bool, followedUp: Bool, _ g: inout SeededGenerator) -> [Visit] {
        var out: [Visit] = []
        let hh = h.household
        let start = calendar.historyStart

        if followedUp {
            // The assistant went to see the family the lead named and helped them apply that day.
            out.append(visit(hh, .discoveryFollowUp, on: hh.appliedOn, income: hh.monthlyIncomeFen,
                             .none, "主动发现跟进：协助提出申请", &g))
        }
        if let inv = h.timeline.investigatedOn, inv >= start {
            let rec: Recommendation = hh.status == .declined ? .none : .include
            out.append(visit(hh, .applicationInvestigation, on: inv, income: hh.monthlyIncomeFen, rec,
                             rec == .include ? "入户调查：核实家庭人口、收入和财产状况，符合条件" : "入户调查：家庭人均收入高于当地标准", &g))
        }
        if screened {
            out.append(visit(hh, .screening, on: calendar.screeningOn, income: hh.monthlyIncomeFen, .none,
                             "拉网式排查：已入户", &g))
        }
        let kind = ReviewCadence.cadence(classification: hh.classification, members: h.members).visitKind
        let reviews = h.timeline.reviews
        for (i, r) in reviews.enumerated() where r.date >= start {
            // The latest review found the figures now on record; earlier ones a little less (for an
            // exited household, well under the standard: it was still eligible then).
            let income = i == reviews.count - 1
                ? hh.monthlyIncomeFen
                : ReliefStandards.roundToYuan(Int64(Double(hh.monthlyIncomeFen) * g.double(in: hh.status == .exited ? 0.45...0.8 : 0.85...1.0)))
            out.append(visit(hh, kind, on: r.date, income: income, r.recommendation, VisitHistory.note(r.recommendation), &g))
        }
        out.sort { $0.date < $1.date }
        return out
    }

    /// Whether the household was on the books on the campaign day, so could have been screened.
    func couldBeScreened(_ h: GeneratedHousehold) -> Bool {
        h.household.appliedOn <= calendar.screeningOn && (h.timeline.leftOn.map { $0 >= calendar.screeningOn } ?? true)
    }

    private func visit(_ hh: Household, _ kind: VisitKind, on date: CalendarDate, income: Int64,
                       _ recommendation: Recommendation, _ notes: String, _ g: inout SeededGenerator) -> Visit {
        Visit(id: RecordStamps.id(on: date, &g), householdID: hh.id, village: hh.village, kind: kind, worker: worker,
              date: date, monthlyIncomeFen: income, assetsFen: hh.assetsFen,
              livingCondition: VisitHistory.conditions.draw(&g), recommendation: recommendation, notes: notes)
    }

    static func note(_ r: Recommendation) -> String {
        switch r {
        case .maintain: "核查：家庭经济状况无明显变化，建议维持"
        case .adjust: "核查：家庭收入有变化，建议调整救助金额"
        case .exit: "核查：家庭人均收入超过当地标准，建议退出"
        case .include: "核查：符合条件"
        case .none: "核查"
        }
    }
}
