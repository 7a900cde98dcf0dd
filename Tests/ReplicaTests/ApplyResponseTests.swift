import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

@Suite("Applying responses: acknowledgements, pages and rejections")
struct ApplyResponseTests {
    let A = Fixture.villageA

    @Test func acksMarkChangesAndAPageDropsWhatItCovers() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        let create = try h.replica.createHousehold(household)
        let update = try h.replica.updateHousehold(household.id, [.phone: .text("13911112222")])[0]
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").changes == [create, update])

        let report = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: [1, 2], cursors: [A: 3], hasMore: true))
        #expect(report.acked == 2)
        var summary = try h.replica.outboxSummary()
        #expect(summary.pending == 0)
        #expect(summary.oldestPendingMilliseconds == nil)
        #expect(summary.acknowledgedAwaitingPull == 2)
        #expect(summary.rejected.isEmpty)
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").changes.isEmpty, "acknowledged changes are not re-sent")
        #expect(try h.replica.households(in: A).first?.phone == "13911112222", "still shown until a page includes it")

        // A page (more to come) whose state includes the create only: the update stays, on top.
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: [RecordState.of([create])], cursors: [A: 4], hasMore: true))
        #expect(try h.replica.outboxChanges() == [update])
        summary = try h.replica.outboxSummary()
        #expect(summary.acknowledgedAwaitingPull == 1)
        #expect(try h.replica.households(in: A).first?.phone == "13911112222")

        // A page that includes both: the outbox empties and the view is the server's state.
        let server = RecordState.of([create, update])
        let last = try h.replica.receivePage([server], cursor: 5)
        #expect(last.mismatched.isEmpty)
        #expect(try h.replica.outboxChanges().isEmpty)
        #expect(try h.replica.outboxSummary().acknowledgedAwaitingPull == 0)
        let confirmed = try h.replica.confirmedStates(in: A)
        #expect(confirmed.count == 1 && confirmed[0].isObservablyEqual(to: server))
        #expect(try h.replica.viewStates(in: A)[0].isObservablyEqual(to: server))
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").cursors == [A: 5])
    }

    /// After the last page every record an acknowledged change touched has been served; one that
    /// was not is gone from the server (purged after a delete), so its change leaves the outbox.
    @Test func theLastPageDropsAcknowledgedChangesOfVanishedRecords() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        _ = try h.replica.createHousehold(Fixture.newHousehold(1))
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: [1], cursors: [A: 3], hasMore: true))
        #expect(try h.replica.outboxSummary().acknowledgedAwaitingPull == 1)
        try h.replica.receivePage([], cursor: 9)
        #expect(try h.replica.outboxChanges().isEmpty)
        #expect(try h.replica.outboxSummary().acknowledgedAwaitingPull == 0)
        #expect(try h.replica.households(in: A).isEmpty, "nothing confirmed it: the record is gone")
    }

    @Test func aRejectionStaysVisibleAndLeavesTheView() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        let create = try h.replica.createHousehold(household)
        let income = try h.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(65_000)])[0]
        let phone = try h.replica.updateHousehold(household.id, [.phone: .text("13911112222")])[0]
        #expect(try h.replica.households(in: A).first?.monthlyIncomeFen == 65_000)

        let rejection = Rejection(counter: 2, reason: "recusal", message: "worker va-test-1 filed household as a close relative")
        let report = try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: [1, 3], rejections: [rejection],
                                                        page: [RecordState.of([create, phone])], cursors: [A: 4]))
        #expect(report.rejected == [rejection])

        let shown = try h.replica.households(in: A)
        #expect(shown.first?.monthlyIncomeFen == 80_000, "the refused income no longer shows")
        #expect(shown.first?.phone == "13911112222")
        let summary = try h.replica.outboxSummary()
        #expect(summary.rejected.map(\.change) == [income])
        #expect(summary.rejected.map(\.reason) == ["recusal"])
        #expect(summary.rejected.map(\.message) == [rejection.message])
        #expect(summary.pending == 0)
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").changes.isEmpty, "a rejected change is not re-sent")
        #expect(try h.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t").health.rejectedCount == 1)

        try h.reopen()
        #expect(try h.replica.outboxSummary().rejected.map(\.change) == [income], "rejections survive a restart")
    }

    @Test func aRejectedCreateLeavesNothingButTheRejection() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let create = try h.replica.createHousehold(Fixture.newHousehold(1))
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now,
                                           rejections: [Rejection(counter: 1, reason: "outside_scope", message: "not your village")],
                                           cursors: [A: 1]))
        #expect(try h.replica.households(in: A).isEmpty)
        #expect(try h.replica.record(.household, create.record.id) == nil)
        #expect(try h.replica.outboxSummary().rejected.map(\.reason) == ["outside_scope"])
        #expect(try h.replica.outboxSummary().rejected.map(\.change) == [create])
    }

    @Test func localChangesStayOnTopOfANewerConcurrentState() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        var server = OtherReplica()
        let original = server.created(RefusalWorld.covered)
        try h.replica.receivePage([original], cursor: 1)

        let mine = try h.replica.updateHousehold(original.key.id, [.monthlyIncomeFen: .int(111), .phone: .text("13900000001")])
        // Another device, having seen only the original, writes the same review field and a note.
        var other = OtherReplica(Fixture.otherDeviceReplica, author: Fixture.reviewer.id)
        let theirs = other.set(other.set(original, "monthlyIncomeFen", .int(222)), "notes", .text("对方备注"))
        try h.replica.receivePage([theirs], cursor: 2)

        let view = try #require(try h.replica.record(.household, original.key.id))
        let income = Fixture.field(.household, "monthlyIncomeFen")
        #expect(Set(view.fields[income]?.siblings.map(\.value) ?? []) == [.int(111), .int(222)], "both concurrent values kept")
        #expect(view.value(Fixture.field(.household, "phone")) == .text("13900000001"), "the pending write still shows")
        #expect(view.value(Fixture.field(.household, "notes")) == .text("对方备注"), "the pulled write shows too")
        #expect(view.needsReview)
        #expect(try h.replica.outboxSummary().pending == 2)

        let conflicts = try h.replica.openConflicts()
        #expect(conflicts.map(\.key) == [original.key])
        #expect(conflicts.first?.fields.map(\.field) == ["monthlyIncomeFen"])
        #expect(Set(conflicts.first?.fields.first?.values.map(\.value) ?? []) == [.int(111), .int(222)])
        #expect(conflicts.first?.deleteConflict == false)
        #expect(try h.replica.householdDetail(original.key.id).needsReview)

        // The server merges both: the conflict is now confirmed, and the outbox empties.
        let merged = theirs.merging(mine)
        try h.replica.receivePage([merged], cursor: 3, acked: mine.map(\.dot.counter))
        #expect(try h.replica.outboxChanges().isEmpty)
        #expect(try h.replica.openConflicts().map(\.key) == [original.key])
        #expect(try h.replica.record(.household, original.key.id)?.isObservablyEqual(to: merged) == true)
    }

    @Test func aReviewersResolutionInAPageClosesTheConflict() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        var server = OtherReplica()
        var other = OtherReplica(Fixture.otherDeviceReplica, author: Fixture.assistant.id)
        let original = server.created(RefusalWorld.covered)
        let both = original.merging([server.setting(original, "assetsFen", .int(1)), other.setting(original, "assetsFen", .int(2))])
        try h.replica.receivePage([both], cursor: 1)
        #expect(try h.replica.openConflicts().count == 1)

        let resolved = server.set(both, "assetsFen", .int(3))
        try h.replica.receivePage([resolved], cursor: 2)
        #expect(try h.replica.openConflicts().isEmpty)
        #expect(try h.replica.households(in: A).first?.assetsFen == 3)
    }
}
