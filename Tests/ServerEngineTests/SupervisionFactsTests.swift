import FieldModel
import ServerOps
import SyncCore
import Testing

/// Which writes recompute a household's supervision facts: those that change a field the facts
/// read, of the household or of one of its members; nothing else costs more than a comparison.
@Suite("Supervision facts: which writes recompute a household")
struct SupervisionFactsTests {
    var maker = ChangeMaker(0xE1)

    mutating func state(_ key: RecordKey, after operations: [Change.Operation], from start: RecordState? = nil) -> RecordState {
        var s = start ?? RecordState(key: key)
        for op in operations { _ = s.apply(maker.make(op, key, seeing: s.version)) }
        return s
    }

    @Test mutating func onlyTheFieldsTheFactsReadRecompute() throws {
        var h = Fixture.household(in: Fixture.villageA)
        h.status = .covered
        h.classification = .stable
        let hk = Fixture.key(h)
        let household = state(hk, after: [.create(h.fieldValues)])
        let member = try #require(Fixture.dataset.members.first { $0.householdID == h.id })
        let mk = RecordKey(.member, member.id, scope: member.village)
        let memberState = state(mk, after: [.create(member.fieldValues)])
        func affected(_ s: RecordState, _ before: RecordState?) -> [RecordID] {
            SupervisionFacts.households(affectedBy: [s], previous: before.map { [$0.key.id: $0] } ?? [:])
        }
        let field = { (c: RecordCollection, name: String) in c.schema.id(name) }

        #expect(affected(household, nil) == [h.id], "a new household")
        #expect(affected(state(hk, after: [.set(field(.household, "monthlyIncomeFen"), .int(12_300))], from: household), household).isEmpty, "an income")
        #expect(affected(state(hk, after: [.set(field(.household, "phone"), .text("13800000000"))], from: household), household).isEmpty, "a phone")
        #expect(affected(state(hk, after: [.set(field(.household, "classification"), .text("unstableIncome"))], from: household), household) == [h.id])
        #expect(affected(state(hk, after: [.set(field(.household, "lastReviewedOn"), .date(Fixture.today))], from: household), household) == [h.id])

        #expect(affected(memberState, nil) == [h.id], "a new member")
        #expect(affected(state(mk, after: [.set(field(.member, "name"), .text("王五"))], from: memberState), memberState).isEmpty, "a name")
        let flipped = member.labourAbility == .able ? "none" : "able"
        #expect(affected(state(mk, after: [.set(field(.member, "labourAbility"), .text(flipped))], from: memberState), memberState) == [h.id])
        #expect(affected(state(mk, after: [.set(field(.member, "status"), .text("deceased"))], from: memberState), memberState) == [h.id])
        #expect(affected(state(mk, after: [.delete], from: memberState), memberState) == [h.id], "a deleted member's household, from the state it replaced")
        let visit = try #require(Fixture.dataset.visits.first { $0.village == h.village })
        #expect(affected(state(RecordKey(.visit, visit.id, scope: visit.village), after: [.create(visit.fieldValues)]), nil).isEmpty, "a visit")
    }
}
