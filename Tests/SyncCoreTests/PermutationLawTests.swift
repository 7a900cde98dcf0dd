import FieldModel
import SyncCore
import Testing

/// DESIGN §4's laws, exhaustively: every one of the 720 orders of a six-change history gives the
/// same states and digest, and applying the changes again (in the same order) changes nothing.
@Suite("Merge laws over every order of small histories")
struct PermutationLawTests {
    static let histories = SmallHistory.scenarios + SmallHistory.generated(25)

    @Test("every order of six changes: identical states and digests", arguments: histories)
    func everyOrderConverges(_ history: SmallHistory) {
        #expect(history.changes.count == 6)
        let laws = Convergence(history.changes)
        if let v = laws.reference.values.lazy.compactMap(laws.boundViolation).first { Issue.record("\(v)") }
        var orders = 0
        for permutation in Permutations(of: history.changes.count) {
            orders += 1
            let order = permutation.map { history.changes[$0] }
            var states = replay(order)
            if let v = laws.difference(states, label: "order \(permutation)") {
                Issue.record("\(v)\n\(Self.listing(history))")
                return
            }
            for c in order { states[c.record]!.apply(c) }
            if let v = laws.difference(states, label: "order \(permutation), applied twice", digest: false) {
                Issue.record("\(v)\n\(Self.listing(history))")
                return
            }
        }
        #expect(orders == 720)
    }

    @Test("the scenarios hold the conflicts they are named for")
    func scenariosShowTheirConflicts() throws {
        func events(_ h: SmallHistory) -> [ConflictEvent] {
            var states: [RecordKey: RecordState] = [:]
            return h.changes.flatMap { c in states[c.record, default: RecordState(key: c.record)].apply(c).events }
        }
        let review = events(SmallHistory.reviewConflictThenResolution)
        #expect(review.contains { if case .needsReview(Household.Field.category.id, _) = $0 { true } else { false } })
        #expect(review.contains { if case .resolved(Household.Field.category.id, _) = $0 { true } else { false } })

        let tie = events(SmallHistory.lwwTie).compactMap { e -> (Sibling, [Sibling])? in
            if case .autoResolved(Household.Field.notes.id, let w, let l) = e { (w, l) } else { nil }
        }
        let (winner, losers) = try #require(tie.first)
        #expect(losers.map(\.hlc) == [winner.hlc], "a tie: the same clock reading")
        #expect(winner.dot.replica == ReplicaID(0x0C), "broken by the higher replica id")

        let delete = Convergence(SmallHistory.deleteConcurrentWithUpdate.changes).reference[Fixture.member]
        #expect(delete?.hasDeleteConflict == true)
        let reopened = Convergence(SmallHistory.deleteConflictResolvedAndReopened.changes).reference[Fixture.member]
        #expect(reopened?.hasDeleteConflict == true)
        #expect(reopened?.value(Member.Field.name.id) == .null, "the reviewer's delete saw the name")
        #expect(reopened?.value(Member.Field.disabilityGrade.id) == .int(1))

        let workflow = Convergence(SmallHistory.concurrentTransitions.changes).reference[Fixture.household]
        #expect(workflow?.conflictedFields == [Household.Field.status.id])
        #expect(workflow?.fields[Household.Field.status.id]?.siblings.map(\.value) == [.text("declined"), .text("townshipReviewed")])
    }

    @Test("permutations: all n! of them, each once, in order", arguments: 0...6)
    func permutationsAreComplete(n: Int) {
        let all = Array(Permutations(of: n))
        #expect(all.count == (1...max(n, 1)).reduce(1, *))
        #expect(Set(all).count == all.count)
        #expect(all.allSatisfy { $0.sorted() == Array(0..<n) })
        #expect(all == all.sorted { $0.lexicographicallyPrecedes($1) })
    }

    static func listing(_ h: SmallHistory) -> String {
        h.name + ":\n" + h.changes.map { "  \($0)" }.joined(separator: "\n")
    }
}

