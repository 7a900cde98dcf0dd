import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

/// Dropped villages, re-bootstraps and repairs: the server's state goes, the outbox stays.
@Suite("Forgetting villages keeps the outbox")
struct ScopeResetTests {
    let A = Fixture.villageA
    let B = Fixture.villageB

    /// Server states of village A (two households and a member) and of village B (one household).
    func serverStates() -> (a: [RecordState], b: [RecordState]) {
        var server = OtherReplica()
        let h1 = Fixture.newHousehold(1), h2 = Fixture.newHousehold(2)
        return ([server.created(h1), server.created(h2), server.created(Fixture.newMember(3, of: h2))],
                [server.created(Fixture.newHousehold(4, village: B))])
    }

    @Test func aDroppedVillageLosesItsRecordsButNotItsOutbox() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let (a, b) = serverStates()
        try h.replica.receivePage(a, cursor: 5)
        try h.replica.updateHousehold(a[0].key.id, [.phone: .text("13900000001")])
        try h.replica.createHousehold(Fixture.newHousehold(10))
        let outbox = try h.replica.outboxChanges()

        // Reassigned to village B: the server drops A and bootstraps B in the same response.
        let report = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: b, cursors: [B: 9],
                                                        digests: [B: ScopeDigest.of(b)], droppedVillages: [A]))
        #expect(report.dropped == [A])
        #expect(report.mismatched.isEmpty)
        #expect(try h.replica.viewStates(in: A).isEmpty)
        #expect(try h.replica.confirmedStates(in: A).isEmpty)
        #expect(try h.replica.households(in: A).isEmpty)
        #expect(try h.replica.digest(of: A) == ScopeDigest())
        #expect(try h.replica.villages() == [B])
        #expect(try h.replica.outboxChanges() == outbox, "unacknowledged changes stay, to be sent and answered")
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").cursors == [B: 9])

        let assignment = try h.replica.currentIdentity().worker.assignment
        #expect(assignment.covers(B) && !assignment.covers(A), "the stored assignment follows the server's scope")
        let error = refusal { () throws(ReplicaError) in try h.replica.createHousehold(Fixture.newHousehold(11)) }
        #expect(error?.rule?.code == .outOfScope)
        try h.replica.createHousehold(Fixture.newHousehold(12, village: B))

        // The server then refuses the old village's changes: they stay visible as rejected.
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now,
                                           rejections: outbox.map { Rejection(counter: $0.dot.counter, reason: "outside_scope", message: "reassigned") },
                                           cursors: [B: 10]))
        #expect(try h.replica.outboxSummary().rejected.map(\.change) == outbox)
        #expect(try h.replica.viewStates(in: A).isEmpty)
    }

    @Test func aRebootstrapForgetsConfirmedStateAndTheCursorButKeepsTheOutbox() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let (a, _) = serverStates()
        try h.replica.receivePage(a, cursor: 5)
        try h.replica.updateHousehold(a[0].key.id, [.phone: .text("13900000001")])
        let local = Fixture.newHousehold(10)
        try h.replica.createHousehold(local)
        let outbox = try h.replica.outboxChanges()

        let report = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, hasMore: true, rebootstrapVillages: [A]))
        #expect(report.rebootstrapped == [A])
        #expect(try h.replica.confirmedStates(in: A).isEmpty)
        #expect(try h.replica.digest(of: A) == ScopeDigest())
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").cursors[A] == nil, "pulled again from 0")
        #expect(try h.replica.outboxChanges() == outbox)
        // Only records with local changes remain, showing just those changes.
        let views = try h.replica.viewStates(in: A)
        #expect(Set(views.map(\.key)) == [a[0].key, RecordKey(.household, local.id, scope: A)])
        #expect(try h.replica.record(.household, a[0].key.id)?.values == [Fixture.field(.household, "phone"): .text("13900000001")])

        // The pull from 0 brings everything back, with the local change still on top.
        let back = try h.replica.receivePage(a, cursor: 12)
        #expect(back.mismatched.isEmpty)
        #expect(try h.replica.digest(of: A) == ScopeDigest.of(a))
        let first = try #require(try h.replica.households(in: A).first { $0.id == a[0].key.id })
        #expect(first.phone == "13900000001" && first.headName == "张" + Fixture.name(1))
        #expect(try h.replica.viewStates(in: A).count == 4)
    }

    @Test func resetVillagesForgetsOnlyThoseVillages() throws {
        let h = try ReplicaHarness(Fixture.reviewer)
        defer { h.finish() }
        let (a, b) = serverStates()
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: a + b, cursors: [A: 5, B: 5],
                                           digests: [A: ScopeDigest.of(a), B: ScopeDigest.of(b)]))
        try h.replica.updateHousehold(a[1].key.id, [.monthlyIncomeFen: .int(1_000)])
        let outbox = try h.replica.outboxChanges()

        try h.replica.resetVillages([A])
        #expect(try h.replica.confirmedStates(in: A).isEmpty)
        #expect(try h.replica.viewStates(in: A).map(\.key) == [a[1].key])
        #expect(try h.replica.digest(of: A) == ScopeDigest())
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").cursors == [B: 5])
        #expect(try h.replica.outboxChanges() == outbox)
        #expect(try h.replica.confirmedStates(in: B).count == 1, "other villages are untouched")
        #expect(try h.replica.digest(of: B) == ScopeDigest.of(b))

        try h.reopen()
        #expect(try h.replica.outboxChanges() == outbox)
        #expect(try h.replica.integrityCheck() == "ok")
    }
}
