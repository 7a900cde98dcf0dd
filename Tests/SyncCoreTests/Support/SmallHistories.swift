import FieldModel
import SyncCore
import Testing

/// A history of six changes, small enough to apply in every one of its 720 orders.
struct SmallHistory: Sendable, CustomTestStringConvertible {
    let name: String
    let changes: [Change]
    var testDescription: String { name }

    /// The hand-written ones, each built around one kind of conflict.
    static let scenarios: [SmallHistory] = [
        reviewConflictThenResolution, lwwTie, deleteConcurrentWithUpdate, deleteConflictResolvedAndReopened,
        concurrentTransitions,
    ]

    /// The first `count` generated histories of exactly six changes in which a conflict shows:
    /// applied in the order made, or in reverse, some change opens or resolves one.
    static func generated(_ count: Int) -> [SmallHistory] {
        let generator = HistoryGenerator(replicaCount: 2...4, changeCount: 6...6)
        var out: [SmallHistory] = []
        var seed: UInt64 = 0
        while out.count < count {
            let h = generator.make(seed: seed)
            if h.changes.count == 6 && h.anomalies.isEmpty && (showsConflict(h.changes) || showsConflict(h.changes.reversed())) {
                out.append(SmallHistory(name: "generated, seed \(seed)", changes: h.changes))
            }
            seed += 1
        }
        return out
    }

    static func showsConflict(_ order: [Change]) -> Bool {
        var states: [RecordKey: RecordState] = [:]
        return order.contains { c in !states[c.record, default: RecordState(key: c.record)].apply(c).events.isEmpty }
    }

    /// Two field workers write `category` concurrently; a reviewer who saw both resolves it.
    /// Meanwhile they also write `income` concurrently, which stays open.
    static var reviewConflictThenResolution: SmallHistory {
        var (a, b, c, r) = writers()
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household)
        let b1 = b.write(.set(Household.Field.category.id, .text("urbanDibao")), to: Fixture.household, seeing: .seeing(a1))
        let c1 = c.write(.set(Household.Field.category.id, .text("extremePoverty")), to: Fixture.household, seeing: .seeing(a1))
        let r1 = r.write(.set(Household.Field.category.id, .text("ruralDibao")), to: Fixture.household, seeing: .seeing(a1, b1, c1))
        let b2 = b.write(.set(Household.Field.monthlyIncomeFen.id, .int(45_000)), to: Fixture.household, seeing: .seeing(a1, b1))
        let c2 = c.write(.set(Household.Field.monthlyIncomeFen.id, .int(0)), to: Fixture.household, seeing: .seeing(a1, c1))
        return SmallHistory(name: "concurrent review writes, then a resolution", changes: [a1, b1, c1, r1, b2, c2])
    }

    /// Two `lww` writes with the same clock reading (the higher replica wins), a later one and an
    /// earlier one, and a write from a clock a year behind that saw both tied values.
    static var lwwTie: SmallHistory {
        var (a, b, c, _) = writers()
        let t = Fixture.noon + 60_000
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household, at: Fixture.hlc(t - 1000))
        let b1 = b.write(.set(Household.Field.notes.id, .text("外出务工")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t))
        let c1 = c.write(.set(Household.Field.notes.id, .text("电话已更新")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t))
        let a2 = a.write(.set(Household.Field.phone.id, .text("13800000000")), to: Fixture.household, seeing: .seeing(a1), at: Fixture.hlc(t + 5))
        let b2 = b.write(.set(Household.Field.phone.id, .text("0359-2021234")), to: Fixture.household, seeing: .seeing(a1, b1), at: Fixture.hlc(t + 3))
        let c2 = c.write(.set(Household.Field.notes.id, .text("已核实")), to: Fixture.household, seeing: .seeing(a1, b1, c1),
                         at: Fixture.hlc(t - Fixture.year))
        return SmallHistory(name: "an lww tie, and a write from a clock a year behind", changes: [a1, b1, c1, a2, b2, c2])
    }

    /// A member deleted on one device while another edits it.
    static var deleteConcurrentWithUpdate: SmallHistory {
        var (a, b, c, _) = writers()
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household)
        let a2 = a.write(Fixture.memberCreate(), to: Fixture.member)
        let b1 = b.write(.delete, to: Fixture.member, seeing: .seeing(a2))
        let c1 = c.write(.set(Member.Field.name.id, .text("李小红")), to: Fixture.member, seeing: .seeing(a2))
        let c2 = c.write(.set(Member.Field.disabilityGrade.id, .int(2)), to: Fixture.member, seeing: .seeing(a2, c1))
        let a3 = a.write(.set(Household.Field.notes.id, .text("成员外出")), to: Fixture.household, seeing: .seeing(a1))
        return SmallHistory(name: "a delete concurrent with an update", changes: [a1, a2, b1, c1, c2, a3])
    }

    /// A delete conflict a reviewer resolves by deleting again, reopened by a write that saw neither delete.
    static var deleteConflictResolvedAndReopened: SmallHistory {
        var (a, b, c, r) = writers()
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household)
        let a2 = a.write(Fixture.memberCreate(), to: Fixture.member)
        let b1 = b.write(.delete, to: Fixture.member, seeing: .seeing(a2))
        let c1 = c.write(.set(Member.Field.name.id, .text("李小红")), to: Fixture.member, seeing: .seeing(a2))
        let r1 = r.write(.delete, to: Fixture.member, seeing: .seeing(a2, b1, c1))
        let c2 = c.write(.set(Member.Field.disabilityGrade.id, .int(1)), to: Fixture.member, seeing: .seeing(a2, c1))
        return SmallHistory(name: "a delete conflict resolved, then reopened", changes: [a1, a2, b1, c1, r1, c2])
    }

    /// Two devices take the same workflow step at once (a review conflict, though the values are
    /// equal); a reviewer moves on having seen both; one device, unaware, declines.
    static var concurrentTransitions: SmallHistory {
        var (a, b, c, r) = writers()
        let applied = FieldValue.text("applied"), investigated = FieldValue.text("investigated")
        let a1 = a.write(Fixture.householdCreate(), to: Fixture.household)
        let b1 = b.write(.transition(Household.Field.status.id, from: applied, to: investigated), to: Fixture.household, seeing: .seeing(a1))
        let c1 = c.write(.transition(Household.Field.status.id, from: applied, to: investigated), to: Fixture.household, seeing: .seeing(a1))
        let r1 = r.write(.transition(Household.Field.status.id, from: investigated, to: .text("townshipReviewed")),
                         to: Fixture.household, seeing: .seeing(a1, b1, c1))
        let c2 = c.write(Fixture.visitCreate(by: c.author), to: Fixture.visit)
        let b2 = b.write(.transition(Household.Field.status.id, from: investigated, to: .text("declined")),
                         to: Fixture.household, seeing: .seeing(a1, b1))
        return SmallHistory(name: "concurrent workflow transitions", changes: [a1, b1, c1, r1, c2, b2])
    }

    private static func writers() -> (Writer, Writer, Writer, Writer) {
        (Writer(0x0A, "assistant-a"), Writer(0x0B, "assistant-b"), Writer(0x0C, "grid-c"), Writer(0xF0, "township-r"))
    }
}

/// Steps through every permutation of `0..<n` in lexicographic order, starting from the identity.
struct Permutations: Sequence, IteratorProtocol {
    private var current: [Int]?

    init(of n: Int) { current = Array(0..<n) }

    mutating func next() -> [Int]? {
        guard let p = current else { return nil }
        defer { current = Self.successor(of: p) }
        return p
    }

    /// The next permutation in lexicographic order, nil after the last.
    static func successor(of p: [Int]) -> [Int]? {
        var p = p
        guard var i = p.indices.dropLast().last(where: { p[$0] < p[$0 + 1] }) else { return nil }
        let j = p.indices.last { p[$0] > p[i] }!
        p.swapAt(i, j)
        i += 1
        p[i...].reverse()
        return p
    }
}
