import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

@Suite("Offline queries read the worker's view")
struct QueryTests {
    let A = Fixture.villageA
    let B = Fixture.villageB

    @Test func householdsOfAVillageLeaveOutOtherVillagesAndDeletedOnes() throws {
        let h = try ReplicaHarness(Fixture.reviewer)
        defer { h.finish() }
        var server = OtherReplica()
        let kept = Fixture.newHousehold(2), gone = Fixture.newHousehold(3), other = Fixture.newHousehold(4, village: B)
        let page = [server.created(kept), server.deleted(server.created(gone)), server.created(other)]
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: page, cursors: [A: 3, B: 3]))
        let local = Fixture.newHousehold(1)
        try h.replica.createHousehold(local)

        #expect(try h.replica.households(in: A) == [local, kept], "ordered by id")
        #expect(try h.replica.households(in: B) == [other])
        let error = refusal { () throws(ReplicaError) in try h.replica.householdDetail(gone.id) }
        #expect(error?.code == .notFound)
    }

    @Test func householdDetailListsMembersAndVisitsNewestFirst() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1), neighbour = Fixture.newHousehold(2)
        try h.replica.createHousehold(household)
        try h.replica.createHousehold(neighbour)
        let stays = Fixture.newMember(3, of: household), leaves = Fixture.newMember(4, of: household)
        try h.replica.addMember(stays)
        try h.replica.addMember(leaves)
        try h.replica.addMember(Fixture.newMember(5, of: neighbour))
        try h.replica.deleteMember(leaves.id)
        for (n, daysAgo) in [(6, 10), (7, 3), (8, 20)] as [(UInt64, Int)] {
            try h.replica.recordVisit(Fixture.newVisit(n, of: household, on: Fixture.today.adding(days: -daysAgo)))
        }
        try h.replica.recordVisit(Fixture.newVisit(9, of: neighbour))

        let detail = try h.replica.householdDetail(household.id)
        #expect(detail.household == household)
        #expect(detail.members == [stays])
        #expect(detail.visits.map(\.date) == [-3, -10, -20].map { Fixture.today.adding(days: $0) })
        #expect(detail.visits.map(\.id) == [7, 6, 8].map(Fixture.freshID))
        #expect(!detail.needsReview)
    }

    @Test func reviewsFallDueByCadence() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let base = CalendarDate(year: 2026, month: 1, day: 15)!
        func covered(_ n: UInt64, _ classification: EconomicClassification, reviewed: CalendarDate?, since: CalendarDate = base) -> Household {
            var h = Fixture.newHousehold(n)
            h.status = .covered
            h.classification = classification
            h.coveredSince = since
            h.lastReviewedOn = reviewed
            return h
        }
        let stable = covered(1, .stable, reviewed: base)
        let unstable = covered(2, .unstableIncome, reviewed: base)
        let ableBodied = covered(3, .stable, reviewed: base)
        let neverReviewed = covered(4, .stable, reviewed: nil, since: base.adding(months: 2))
        let applicant = Fixture.newHousehold(5)
        var server = OtherReplica()
        let page = [stable, unstable, ableBodied, neverReviewed, applicant].map { server.created($0) }
            + [server.created(Fixture.newMember(10, of: stable, labour: .none)),
               server.created(Fixture.newMember(11, of: ableBodied, labour: .able))]
        try h.replica.receivePage(page, cursor: 7)

        #expect(try h.replica.reviewsDue(on: base.adding(months: 6).adding(days: -1)).isEmpty)
        let halfYear = try h.replica.reviewsDue(on: base.adding(months: 6))
        #expect(halfYear.map(\.household.id) == [unstable.id, ableBodied.id], "unstable income, or someone able to work: every six months")
        #expect(halfYear.map(\.cadence) == [.everySixMonths, .everySixMonths])
        #expect(halfYear.map(\.due) == [base.adding(months: 6), base.adding(months: 6)])

        let year = try h.replica.reviewsDue(on: base.adding(months: 14))
        #expect(year.map(\.household.id) == [unstable.id, ableBodied.id, stable.id, neverReviewed.id], "soonest first")
        #expect(year.map(\.cadence) == [.everySixMonths, .everySixMonths, .yearly, .yearly])
        #expect(year.map(\.due)[2...] == [base.adding(months: 12), base.adding(months: 14)])

        // A member able to work, added on the device, moves the stable household to six-monthly.
        try h.replica.addMember(Fixture.newMember(12, of: stable, labour: .able))
        #expect(try h.replica.reviewsDue(on: base.adding(months: 6)).map(\.household.id) == [stable.id, unstable.id, ableBodied.id])
    }

    @Test func openConflictsListConcurrentValuesAndDeleteConflicts() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        var server = OtherReplica()
        let household = Fixture.newHousehold(1)
        let member = server.created(Fixture.newMember(2, of: household))
        try h.replica.receivePage([server.created(household), member], cursor: 2)
        #expect(try h.replica.openConflicts().isEmpty)

        // The device changes the member while the server, not having seen it, deletes it.
        try h.replica.updateMember(member.key.id, [.labourAbility: .text("partial")])
        try h.replica.receivePage([server.deleted(member)], cursor: 3)
        let conflicts = try h.replica.openConflicts()
        #expect(conflicts.map(\.key) == [member.key])
        #expect(conflicts.first?.deleteConflict == true)
        #expect(try h.replica.record(.member, member.key.id)?.isDeleted == false, "the concurrent update keeps the record")
    }

    @Test func lastSyncRemembersAttempts() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        #expect(try h.replica.lastSync() == nil)
        #expect(try h.replica.lastSuccessfulSync() == nil)
        let ok = SyncLogEntry(startedMilliseconds: 1_000, finishedMilliseconds: 1_500, result: "ok", reason: nil,
                              pushed: 3, acked: 3, rejected: 0, pulled: 40, bytesUp: 900, bytesDown: 12_000)
        let offline = SyncLogEntry(startedMilliseconds: 9_000, finishedMilliseconds: 39_000, result: "offline", reason: "no route to host",
                                   pushed: 0, acked: 0, rejected: 0, pulled: 0, bytesUp: 300, bytesDown: 0)
        try h.replica.recordSync(ok)
        #expect(try h.replica.lastSync() == ok)
        try h.replica.recordSync(offline)
        #expect(try h.replica.lastSync() == offline)
        #expect(try h.replica.lastSuccessfulSync() == ok)
        try h.reopen()
        #expect(try h.replica.lastSync() == offline)
        #expect(try h.replica.lastSuccessfulSync() == ok)
    }
}
