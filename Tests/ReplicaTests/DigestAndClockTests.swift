import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

@Suite("Digests of confirmed state, and the clock the server corrects")
struct DigestAndClockTests {
    let A = Fixture.villageA
    let B = Fixture.villageB

    /// Village A as a server holds it: households, a lead, and a member created then deleted.
    func villageA() -> [RecordState] {
        var server = OtherReplica()
        let h1 = Fixture.newHousehold(1), h2 = Fixture.newHousehold(2)
        let gone = server.deleted(server.created(Fixture.newMember(3, of: h1)))
        return [server.created(h1), server.created(h2), gone, server.created(Fixture.newLead(4))]
    }

    @Test func theDigestIsThatOfThePulledLiveStates() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let states = villageA()
        #expect(states[2].isDeleted)
        let report = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: states, cursors: [A: 4],
                                                        digests: [A: ScopeDigest.of(states.filter { !$0.isDeleted })]))
        #expect(report.mismatched.isEmpty)
        let expected = ScopeDigest.of(states.filter { !$0.isDeleted })
        #expect(try h.replica.digest(of: A) == expected)
        #expect(expected.recordCount == 3)

        // Local writes are not the server's state: the digest does not move.
        try h.replica.updateHousehold(states[0].key.id, [.phone: .text("13900000001")])
        try h.replica.createHousehold(Fixture.newHousehold(9))
        #expect(try h.replica.digest(of: A) == expected)

        // A later page replaces a state: the digest follows it, incrementally.
        var server = OtherReplica(at: Fixture.now + 10_000)
        let changed = server.set(states[1], "notes", .text("更新"))
        try h.replica.receivePage([changed], cursor: 5)
        let now = [states[0], changed, states[3]]
        #expect(try h.replica.digest(of: A) == ScopeDigest.of(now))
        try h.reopen()
        #expect(try h.replica.digest(of: A) == ScopeDigest.of(now))
    }

    @Test func aVillageWhoseDigestDiffersIsReportedMismatched() throws {
        let h = try ReplicaHarness(Fixture.reviewer)
        defer { h.finish() }
        let a = villageA()
        var server = OtherReplica()
        let b = [server.created(Fixture.newHousehold(20, village: B))]
        let right = ScopeDigest.of(a.filter { !$0.isDeleted })
        let wrong = ScopeDigest.of(a.prefix(1))

        // Digests come with the last page only; on an earlier page nothing is compared.
        let early = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: a, cursors: [A: 4, B: 4],
                                                       hasMore: true, digests: [A: wrong, B: ScopeDigest()]))
        #expect(early.mismatched.isEmpty)

        let last = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: b, cursors: [A: 5, B: 5],
                                                      hasMore: false, digests: [A: right, B: ScopeDigest()]))
        #expect(last.mismatched == [B])

        let again = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, cursors: [A: 5, B: 5],
                                                       digests: [A: wrong, B: ScopeDigest.of(b)]))
        #expect(again.mismatched == [A])
    }

    @Test func aClockAYearBehindStampsWritesAtServerTimeAfterASync() throws {
        let year: Int64 = 365 * Fixture.msPerDay
        let clock = TestClock(Fixture.now - year)
        let h = try ReplicaHarness(clock: clock)
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        let before = try h.replica.createHousehold(with(household) { $0.appliedOn = Fixture.today.adding(days: -366) })
        #expect(before.hlc.milliseconds == Fixture.now - year)
        // The phone believes it is a year ago: today's visit looks a year in the future.
        let early = refusal { () throws(ReplicaError) in try h.replica.recordVisit(Fixture.newVisit(2, of: household)) }
        #expect(early?.validation?.problem == .inFuture)

        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: [], cursors: [A: 1]))
        let after = try h.replica.updateHousehold(household.id, [.notes: .text("校时后")])[0]
        #expect(after.hlc.milliseconds >= Fixture.now && after.hlc.milliseconds < Fixture.now + 1_000)
        try h.replica.recordVisit(Fixture.newVisit(2, of: household))

        clock.advance(by: 5_000)
        try h.reopen()
        let later = try h.replica.updateHousehold(household.id, [.notes: .text("重启后")])[0]
        #expect(later.hlc.milliseconds >= Fixture.now + 5_000 && later.hlc.milliseconds < Fixture.now + 6_000,
                "the measured offset is kept across a restart")
        let hlcs = try h.replica.outboxChanges().map(\.hlc)
        #expect(hlcs == hlcs.sorted(), "readings only grow")
    }

    @Test func pulledStatesMoveTheClockPastThem() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        var server = OtherReplica(at: Fixture.now + 60_000)   // written a minute "ahead" of this device
        let state = server.created(Fixture.newHousehold(1))
        try h.replica.receivePage([state], cursor: 1, at: Fixture.now)
        let next = try h.replica.updateHousehold(state.key.id, [.notes: .text("之后")])[0]
        #expect(next.hlc > state.lastModified, "a local write orders after everything it has seen")
    }

    func with(_ h: Household, _ body: (inout Household) -> Void) -> Household {
        var h = h
        body(&h)
        return h
    }
}
