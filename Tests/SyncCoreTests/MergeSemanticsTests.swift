import FieldModel
import SyncCore
import Testing

/// DESIGN §4 by example: what each kind of field does with concurrent writes, and deletes against
/// updates (refusals are in `MergeRefusalTests`). A (0x0A), B (0x0B) and C (0x0C) are field
/// devices; R (0xF0) is a township reviewer.
@Suite("Merge semantics")
struct MergeSemanticsTests {
    var a = Writer(0x0A, "assistant-a"), b = Writer(0x0B, "assistant-b"), c = Writer(0x0C, "grid-c")
    var r = Writer(0xF0, "township-r")

    /// A's household, created and applied.
    mutating func household() -> (RecordState, Change) {
        let create = a.write(Fixture.householdCreate(), to: Fixture.household)
        var state = RecordState(key: Fixture.household)
        state.apply(create)
        return (state, create)
    }

    @Test("concurrent review writes: both kept, the record flagged")
    mutating func concurrentReviewWrites() {
        var (state, a1) = household()
        let b1 = b.write(.set(Household.Field.category.id, .text("urbanDibao")), to: Fixture.household, seeing: .seeing(a1))
        let c1 = c.write(.set(Household.Field.category.id, .text("extremePoverty")), to: Fixture.household, seeing: .seeing(a1))
        var other = state

        let first = state.apply(b1)
        #expect(first.outcome == .applied && first.events.isEmpty)
        #expect(!state.needsReview)
        let second = state.apply(c1)
        #expect(second.outcome == .applied)
        #expect(second.events == [.needsReview(field: Household.Field.category.id, siblings: [Sibling(b1), Sibling(c1)])])
        #expect(state.fields[Household.Field.category.id]?.siblings == [Sibling(b1), Sibling(c1)])
        #expect(state.conflictedFields == [Household.Field.category.id])
        #expect(state.needsReview)

        other.apply(c1)
        other.apply(b1)
        #expect(other == state, "the same in either order")
    }

    @Test("a reviewer's write that saw every value resolves the conflict")
    mutating func reviewerResolves() {
        var (state, a1) = household()
        let b1 = b.write(.set(Household.Field.category.id, .text("urbanDibao")), to: Fixture.household, seeing: .seeing(a1))
        let c1 = c.write(.set(Household.Field.category.id, .text("extremePoverty")), to: Fixture.household, seeing: .seeing(a1))
        state.apply(b1)
        state.apply(c1)

        // A write that saw only one of them replaces that one: still a conflict.
        let b2 = b.write(.set(Household.Field.category.id, .text("ruralDibao")), to: Fixture.household, seeing: .seeing(a1, b1))
        #expect(state.apply(b2).events == [.needsReview(field: Household.Field.category.id, siblings: [Sibling(b2), Sibling(c1)])])

        let r1 = r.write(.set(Household.Field.category.id, .text("ruralDibao")), to: Fixture.household, seeing: .seeing(a1, b1, c1, b2))
        let resolution = state.apply(r1)
        #expect(resolution.outcome == .applied)
        #expect(resolution.events == [.resolved(field: Household.Field.category.id, by: Sibling(r1))])
        #expect(state.fields[Household.Field.category.id]?.siblings == [Sibling(r1)])
        #expect(!state.needsReview)
        #expect(state.value(Household.Field.category.id) == .text("ruralDibao"))
    }

    @Test("concurrent lww writes: the later clock wins, the loser is logged as auto-resolved")
    mutating func lwwLaterClockWins() {
        var (state, a1) = household()
        let t = Fixture.noon + 60_000
        let later = b.write(.set(Household.Field.notes.id, .text("外出务工")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t, 1))
        let earlier = c.write(.set(Household.Field.notes.id, .text("电话已更新")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t))
        var other = state

        state.apply(later)
        #expect(state.apply(earlier).events == [.autoResolved(field: Household.Field.notes.id, winner: Sibling(later), losers: [Sibling(earlier)])])
        #expect(state.value(Household.Field.notes.id) == .text("外出务工"), "B's clock is later, though C's replica id is higher")
        #expect(state.conflictedFields.isEmpty && !state.needsReview, "lww conflicts never wait for a reviewer")

        other.apply(earlier)
        #expect(other.apply(later).events == [.autoResolved(field: Household.Field.notes.id, winner: Sibling(later), losers: [Sibling(earlier)])])
        #expect(other == state)
    }

    @Test("concurrent lww writes with the same clock reading: the higher replica id wins")
    mutating func lwwTieBreaksOnReplica() {
        var (state, a1) = household()
        let t = Fixture.hlc(Fixture.noon + 60_000)
        let fromC = c.write(.set(Household.Field.notes.id, .text("C")), to: Fixture.household, seeing: .seeing(a1), at: t)
        let fromB = b.write(.set(Household.Field.notes.id, .text("B")), to: Fixture.household, seeing: .seeing(a1), at: t)
        state.apply(fromC)
        #expect(state.apply(fromB).events == [.autoResolved(field: Household.Field.notes.id, winner: Sibling(fromC), losers: [Sibling(fromB)])])
        #expect(state.value(Household.Field.notes.id) == .text("C"))
    }

    @Test("a clock a year behind: causality, not the clock, decides what a write supersedes")
    mutating func yearBehindClock() {
        let t = Fixture.noon
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household, at: Fixture.hlc(t))
        let a2 = a.write(.set(Household.Field.notes.id, .text("电话已更新")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t + 1000))
        // B's phone thinks it is a year earlier; B saw A's note and replaces it.
        let b1 = b.write(.set(Household.Field.notes.id, .text("已核实")), to: Fixture.household, seeing: .seeing(a1, a2),
                         at: Fixture.hlc(t - Fixture.year))
        for order in [[a1, a2, b1], [a1, b1, a2], [b1, a2, a1]] {
            let state = replay(order)[Fixture.household]!
            #expect(state.value(Household.Field.notes.id) == .text("已核实"), "order \(order.map(\.dot))")
            #expect(state.fields[Household.Field.notes.id]?.siblings == [Sibling(b1)])
        }
        // Applied before it, A's note arrives superseded.
        var state = replay([a1, b1])[Fixture.household]!
        #expect(state.apply(a2).outcome == .superseded)

        // A concurrent write from the same phone loses the tie on its clock: a tie, never a write.
        let b2 = b.write(.set(Household.Field.phone.id, .text("13800000000")), to: Fixture.household,
                         seeing: .seeing(a1), at: Fixture.hlc(t - Fixture.year + 1))
        let a3 = a.write(.set(Household.Field.phone.id, .text("0359-2021234")), to: Fixture.household,
                         seeing: .seeing(a1, a2), at: Fixture.hlc(t + 2000))
        state.apply(b2)
        state.apply(a3)
        #expect(state.value(Household.Field.phone.id) == .text("0359-2021234"))
        #expect(state.fields[Household.Field.phone.id]?.siblings.count == 2, "the loser is kept")
    }

    @Test("delete against a concurrent update: the update is kept and the record flagged")
    mutating func deleteVersusUpdate() {
        let m1 = a.write(Fixture.memberCreate(), to: Fixture.member)
        let del = b.write(.delete, to: Fixture.member, seeing: .seeing(m1))
        let rename = c.write(.set(Member.Field.name.id, .text("李小红")), to: Fixture.member, seeing: .seeing(m1))
        let tombstone = Sibling(dot: del.dot, hlc: del.hlc, author: del.author, value: .null)

        for (first, second) in [(del, rename), (rename, del)] {
            var state = replay([m1])[Fixture.member]!
            state.apply(first)
            #expect(state.apply(second).events.last == .deleteConflict(tombstones: [tombstone]))
            #expect(state.hasDeleteConflict && !state.isDeleted && state.needsReview)
            #expect(state.value(Member.Field.name.id) == .text("李小红"), "the update is kept")
            #expect(state.value(Member.Field.disabilityGrade.id) == .null, "what the delete saw is gone")
            #expect(state.tombstones == [tombstone])
        }

        // Without a concurrent write, a delete deletes.
        let deleted = replay([m1, del])[Fixture.member]!
        #expect(deleted.isDeleted && !deleted.hasDeleteConflict && deleted.values.isEmpty)
        // A write that saw the delete closes the conflict.
        let restore = r.write(.set(Member.Field.status.id, .text("movedOut")), to: Fixture.member, seeing: .seeing(m1, del, rename))
        let closed = replay([m1, del, rename, restore])[Fixture.member]!
        #expect(closed.tombstones.isEmpty && !closed.needsReview)
    }
}

extension Sibling {
    /// The sibling a change leaves in a field: its value for a set, the new step for a transition.
    init(_ change: Change) {
        let value: FieldValue = switch change.operation {
        case .set(_, let v), .transition(_, _, let v): v
        case .create, .delete: .null
        }
        self.init(dot: change.dot, hlc: change.hlc, author: change.author, value: value)
    }
}
