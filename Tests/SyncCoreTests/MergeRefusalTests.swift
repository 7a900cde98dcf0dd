import FieldModel
import SyncCore
import Testing

/// What merging refuses, and the outcomes that change nothing: duplicates and superseded writes.
/// A refused change leaves the state exactly as it was.
@Suite("Merge refusals and no-op outcomes")
struct MergeRefusalTests {
    var a = Writer(0x0A, "assistant-a"), b = Writer(0x0B, "assistant-b")

    /// A household, a member and a visit, all created by A.
    mutating func records() -> (states: [RecordKey: RecordState], creates: [Change]) {
        let creates = [
            a.write(Fixture.householdCreate(), to: Fixture.household),
            a.write(Fixture.memberCreate(), to: Fixture.member),
            a.write(Fixture.visitCreate(by: a.author), to: Fixture.visit),
        ]
        return (replay(creates), creates)
    }

    /// Applies `operation` as B's next write, having seen every create, and checks the refusal.
    mutating func expectRefused(_ operation: Change.Operation, on key: RecordKey, _ code: Refusal.Code,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        var (states, creates) = records()
        let change = b.write(operation, to: key, seeing: creates.reduce(into: VersionVector()) { $0.add($1.dot) })
        let before = states[key]
        let result = states[key]!.apply(change)
        #expect(result.refusal == code, "\(change) gave \(result.outcome)", sourceLocation: sourceLocation)
        #expect(result.events.isEmpty, sourceLocation: sourceLocation)
        #expect(states[key] == before, "a refused change changes nothing", sourceLocation: sourceLocation)
    }

    @Test("set on an immutable field, or on any field of a visit, is refused")
    mutating func immutable() {
        expectRefused(.set(Household.Field.appliedOn.id, .date(CalendarDate(daysSinceEpoch: 1))), on: Fixture.household, .immutable)
        expectRefused(.set(Member.Field.householdID.id, .id(Fixture.id(9))), on: Fixture.member, .immutable)
        expectRefused(.set(Visit.Field.monthlyIncomeFen.id, .int(1)), on: Fixture.visit, .immutable)
        expectRefused(.set(Visit.Field.kind.id, .text("annualReview")), on: Fixture.visit, .immutable)
    }

    @Test("visits are never deleted")
    mutating func notDeletable() {
        expectRefused(.delete, on: Fixture.visit, .notDeletable)
    }

    @Test("the workflow moves only by allowed transitions")
    mutating func workflow() {
        let applied = FieldValue.text("applied")
        expectRefused(.set(Household.Field.status.id, .text("investigated")), on: Fixture.household, .invalidTransition)
        expectRefused(.transition(Household.Field.status.id, from: applied, to: .text("covered")), on: Fixture.household, .invalidTransition)
        expectRefused(.transition(Household.Field.status.id, from: applied, to: .text("somewhere")), on: Fixture.household, .invalidTransition)
        expectRefused(.transition(Household.Field.status.id, from: .int(1), to: .text("investigated")), on: Fixture.household, .invalidTransition)
        expectRefused(.transition(Household.Field.category.id, from: applied, to: .text("investigated")), on: Fixture.household, .invalidTransition)

        var (states, creates) = records()
        let step = b.write(.transition(Household.Field.status.id, from: applied, to: .text("investigated")),
                           to: Fixture.household, seeing: .seeing(creates[0]))
        #expect(states[Fixture.household]!.apply(step).outcome == .applied)
        #expect(states[Fixture.household]!.value(Household.Field.status.id) == .text("investigated"))
    }

    @Test("a field the collection does not declare is refused")
    mutating func unknownField() {
        let nowhere = FieldID(99)
        expectRefused(.set(nowhere, .int(1)), on: Fixture.household, .unknownField)
        expectRefused(.transition(nowhere, from: .text("applied"), to: .text("investigated")), on: Fixture.household, .unknownField)

        var state = RecordState(key: Fixture.household)
        let create = a.write(.create([Household.Field.headName.id: .text("张伟"), nowhere: .int(1)]), to: Fixture.household)
        #expect(state.apply(create).refusal == .unknownField)
        #expect(state == RecordState(key: Fixture.household), "nothing of the create is applied")
    }

    @Test("the same dot with the same content is a duplicate")
    mutating func duplicate() {
        var (states, creates) = records()
        let set = b.write(.set(Household.Field.monthlyIncomeFen.id, .int(1)), to: Fixture.household, seeing: .seeing(creates[0]))
        let delete = b.write(.delete, to: Fixture.member, seeing: .seeing(creates[1]))
        states[Fixture.household]!.apply(set)
        states[Fixture.member]!.apply(delete)
        let before = states
        #expect(states[Fixture.household]!.apply(set) == .duplicate)
        #expect(states[Fixture.member]!.apply(delete) == .duplicate)
        #expect(states[Fixture.household]!.apply(creates[0]) == .duplicate)
        #expect(states == before)
    }

    @Test("the same dot with different content is refused")
    mutating func dotReused() {
        var (states, creates) = records()
        let set = b.write(.set(Household.Field.monthlyIncomeFen.id, .int(1)), to: Fixture.household, seeing: .seeing(creates[0]))
        let delete = b.write(.delete, to: Fixture.member, seeing: .seeing(creates[1]))
        states[Fixture.household]!.apply(set)
        states[Fixture.member]!.apply(delete)
        let before = states

        let otherValue = Change(dot: set.dot, record: set.record, operation: .set(Household.Field.monthlyIncomeFen.id, .int(2)),
                                context: set.context, hlc: set.hlc, author: set.author)
        let otherClock = Change(dot: delete.dot, record: delete.record, operation: .delete,
                                context: delete.context, hlc: Fixture.hlc(1), author: delete.author)
        #expect(states[Fixture.household]!.apply(otherValue).refusal == .dotReused)
        #expect(states[Fixture.member]!.apply(otherClock).refusal == .dotReused)
        #expect(states == before)
    }

    @Test("a create replayed under its dot with other values is a dot reuse, not a duplicate")
    mutating func createDotReused() {
        var (states, creates) = records()
        let original = creates[0]
        let altered = Change(dot: original.dot, record: original.record,
                             operation: .create([Household.Field.headName.id: .text("张伟")]),
                             context: original.context, hlc: original.hlc, author: original.author)
        let before = states[Fixture.household]
        #expect(states[Fixture.household]!.apply(altered).refusal == .dotReused)
        #expect(states[Fixture.household] == before)
        #expect(states[Fixture.household]!.apply(original).outcome == .duplicate, "the true replay is still a duplicate")
    }

    @Test("over generated histories, a create replayed with a surviving value changed is refused and changes nothing")
    func generatedCreateReplaysWithOtherValues() {
        var forgedCount = 0
        for seed in UInt64(0)..<400 {
            let history = HistoryGenerator().make(seed: seed)
            let reference = Convergence(history.changes).reference
            for create in history.changes {
                guard case .create(let values) = create.operation, let state = reference[create.record],
                      let id = values.keys.sorted().first(where: { id in state.fields[id]?.siblings.contains { $0.dot == create.dot } == true })
                else { continue }
                let other: FieldValue = values[id] == .text("≠") ? .text("≠≠") : .text("≠")
                let forged = Change(dot: create.dot, record: create.record, operation: .create(values.merging([id: other]) { $1 }),
                                    context: create.context, hlc: create.hlc, author: create.author)
                var after = state
                #expect(after.apply(forged).refusal == .dotReused, "seed \(seed): \(forged)")
                #expect(after == state, "seed \(seed): a refused create changed \(create.record)")
                forgedCount += 1
            }
        }
        #expect(forgedCount > 200, "\(forgedCount) forged replays tried")
    }

    @Test("a second create under another dot is refused")
    mutating func duplicateCreate() {
        var (states, _) = records()
        let before = states[Fixture.household]
        let again = b.write(Fixture.householdCreate(), to: Fixture.household)
        #expect(states[Fixture.household]!.apply(again).refusal == .duplicateCreate)
        #expect(states[Fixture.household] == before)
    }

    @Test("a change for another record, collection or scope is refused")
    mutating func wrongRecord() {
        var (states, creates) = records()
        let before = states[Fixture.household]
        let elsewhere = [
            Fixture.key(.household, 77),
            RecordKey(.member, Fixture.household.id, scope: Fixture.village),
            RecordKey(.household, Fixture.household.id, scope: Fixture.otherVillage),
        ]
        for key in elsewhere {
            let change = b.write(.set(Household.Field.notes.id, .text("x")), to: key, seeing: .seeing(creates[0]))
            #expect(states[Fixture.household]!.apply(change).refusal == .wrongRecord, "\(key)")
        }
        #expect(states[Fixture.household] == before)
    }

    @Test("a write arriving after the write that superseded it changes nothing")
    mutating func superseded() {
        var (states, creates) = records()
        let old = b.write(.set(Household.Field.monthlyIncomeFen.id, .int(1)), to: Fixture.household, seeing: .seeing(creates[0]))
        let new = a.write(.set(Household.Field.monthlyIncomeFen.id, .int(2)), to: Fixture.household, seeing: .seeing(creates[0], old))
        states[Fixture.household]!.apply(new)
        let before = states

        #expect(states[Fixture.household]!.apply(old) == .superseded)
        #expect(states == before)
        #expect(states[Fixture.household]!.value(Household.Field.monthlyIncomeFen.id) == .int(2))
    }

    /// B deletes the member; A, having seen the delete, sets its status. The delete reaches a
    /// replica after A's write: its tombstone is superseded, but it still removes the values it
    /// saw (it must: the other order removes them too), so it reports itself applied.
    @Test("a delete arriving after a write that saw it: its tombstone superseded, what it saw removed")
    mutating func supersededDelete() {
        var (states, creates) = records()
        let delete = b.write(.delete, to: Fixture.member, seeing: .seeing(creates[1]))
        let restore = a.write(.set(Member.Field.status.id, .text("present")), to: Fixture.member, seeing: .seeing(creates[1], delete))
        states[Fixture.member]!.apply(restore)
        let before = states[Fixture.member]!

        let result = states[Fixture.member]!.apply(delete)
        #expect(result.outcome == .applied, "it removed values, so the state changed")
        #expect(states[Fixture.member]!.tombstones.isEmpty)
        #expect(states[Fixture.member] == replay([creates[1], delete, restore])[Fixture.member], "the same as in causal order")
        #expect(states[Fixture.member]!.value(Member.Field.name.id) == .null, "the name the delete saw is gone")
        #expect(states[Fixture.member] != before)
    }
}
