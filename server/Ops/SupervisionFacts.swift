import FieldModel
import SyncCore

/// What the supervision counts are read from: one row per household (its village, step and next
/// review date) and one per open discovery lead, derived from merged record states as they are
/// written. Pure: stores call it in the push's transaction and at migration (the backfill).
///
/// A household's next review date depends on its members (`ReviewCadence`: any present member
/// able to work makes it six-monthly), so a member's write recomputes its household. Labour
/// ability is sensitive (`Schema.sensitiveFields`): no per-member fact is kept in plain; the
/// household's date is computed from its members' sealed states, opened in the transaction.
/// The date says no more than the review rule itself, at the household's grain.
public enum SupervisionFacts {
    public struct HouseholdFacts: Sendable, Hashable {
        public var id: RecordID
        public var village: VillageCode
        public var status: WorkflowStatus
        /// The next review's date; nil for a household not covered.
        public var dueOn: CalendarDate?
    }

    /// The facts of household `state` with its live `members`; nil for a deleted household or
    /// one whose status does not read.
    ///
    ///     SupervisionFacts.household(state, members: memberStates)?.dueOn   // 2027-05-01
    public static func household(_ state: RecordState, members: [RecordState]) -> HouseholdFacts? {
        guard state.key.collection == .household, !state.isDeleted else { return nil }
        let h = FieldReader(state.values, as: Household.Field.self)
        guard let status = try? h.enumeration(.status, as: WorkflowStatus.self) else { return nil }
        let classification = (try? h.enumeration(.classification, as: EconomicClassification.self)) ?? .stable
        let able = members.contains { m in
            guard m.key.collection == .member, !m.isDeleted else { return false }
            let r = FieldReader(m.values, as: Member.Field.self)
            guard let status = try? r.enumeration(.status, as: MemberStatus.self),
                  let ability = try? r.enumeration(.labourAbility, as: LabourAbility.self) else { return false }
            return ReviewCadence.countsAsAbleToWork(status: status, labourAbility: ability)
        }
        let due = ReviewCadence.nextDue(status: status, lastReviewedOn: try? h.optionalDate(.lastReviewedOn),
                                        coveredSince: try? h.optionalDate(.coveredSince),
                                        cadence: ReviewCadence.cadence(classification: classification, anyoneAbleToWork: able))
        return HouseholdFacts(id: state.key.id, village: state.key.scope, status: status, dueOn: due)
    }

    /// Whether `state` is a live discovery lead nobody has followed up yet.
    public static func isOpenLead(_ state: RecordState) -> Bool {
        guard state.key.collection == .discoveryLead, !state.isDeleted else { return false }
        return (try? FieldReader(state.values, as: DiscoveryLead.Field.self).enumeration(.followUpStatus, as: FollowUpStatus.self)) == .open
    }

    /// The households whose facts the writes of `states` over `previous` (the stored states
    /// they replace) change, sorted: a household's own, and a member's household (before and
    /// after, should it move). A write that changes none of the fields the facts read — an
    /// income, a phone number, a visit — changes none, so it costs a comparison.
    public static func households(affectedBy states: [RecordState], previous: [RecordID: RecordState]) -> [RecordID] {
        var out = Set<RecordID>()
        for state in states {
            let fields: [FieldID]
            switch state.key.collection {
            case .household: fields = householdFields
            case .member: fields = memberFields
            default: continue
            }
            let before = previous[state.key.id]
            if let before, before.isDeleted == state.isDeleted, fields.allSatisfy({ before.value($0) == state.value($0) }) { continue }
            for s in [before, state].compactMap({ $0 }) {
                if let household = s.key.collection == .household ? s.key.id : s.householdID { out.insert(household) }
            }
        }
        return out.sorted()
    }

    /// What the facts read of a household and of a member.
    static let householdFields = Array(Household.Field.ids([.status, .classification, .lastReviewedOn, .coveredSince]))
    static let memberFields = Array(Member.Field.ids([.householdID, .status, .labourAbility]))
}
