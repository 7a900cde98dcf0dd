import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

@Suite("Re-bootstrap past the tombstone horizon")
struct HorizonTests {
    let A = Fixture.villageA

    @Test func anOfflineDeviceBehindThePurgeRebootstrapsAndStillDeliversItsOutbox() async throws {
        try await TestServer.with(configure: { $0.tombstoneHorizonMilliseconds = Fixture.msPerDay }) { server in
            let offline = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 6)
            let reviewer = try TestDevice(Fixture.reviewer, replica: 2, on: server)
            // The reviewer has entered an application with a member; both devices hold it.
            let application = Fixture.application(60, in: A)
            try reviewer.replica.createHousehold(application)
            try reviewer.replica.addMember(Fixture.member(61, of: application))
            try await reviewer.syncOK()
            try await offline.syncOK()

            // The assistant works offline…
            let households = Fixture.households(A)
            try offline.replica.updateHousehold(households[0].id, [.notes: .text("离线时记录")])
            try offline.replica.recordVisit(Fixture.visit(1, at: households[1], by: Fixture.assistant, on: Fixture.today))
            let outbox = try offline.replica.outboxChanges()

            // …while the reviewer deletes the member it entered by mistake.
            let detail = try reviewer.replica.householdDetail(application.id)
            let member = try #require(detail.members.first)
            try reviewer.replica.deleteMember(member.id)
            try await reviewer.syncOK()
            let memberKey = RecordKey(.member, member.id, scope: A)
            #expect(try await server.engine.store.record(memberKey)?.isDeleted == true)

            // Two days later the server purges the tombstone.
            server.clock.advance(by: 2 * Fixture.msPerDay)
            let purged = try await server.engine.purgeTombstones(now: server.clock.milliseconds)
            #expect(purged == 1)
            #expect(try await server.engine.store.record(memberKey) == nil)
            #expect(try offline.replica.record(.member, member.id)?.isDeleted == false, "the offline device never saw the delete")

            let report = try await offline.syncOK()
            #expect(report.rebootstraps == [A])
            #expect(report.acked == outbox.count && report.rejected == 0)
            #expect(report.repairs.isEmpty)
            #expect(try offline.replica.record(.member, member.id) == nil, "the purged member is gone from the device too")
            #expect(try offline.replica.outboxSummary().rejected.isEmpty)
            let counts = try await server.auditCounts(of: offline.identity.replica)
            #expect(outbox.allSatisfy { counts[$0.dot] == 1 }, "the kept outbox was sent after all, once: \(counts)")
            #expect(try offline.replica.householdDetail(households[0].id).household.notes == "离线时记录")
            try await expectConverged(offline, A)

            // The request that learned of the purge carried the old cursor and the outbox together.
            let first = try #require(server.received(from: offline.deviceID).first { !$0.changes.isEmpty })
            #expect(first.changes == outbox)
            #expect((first.cursors[A] ?? 0) > 0)

            // The reviewer, whose cursor saw the delete, just carries on.
            let caughtUp = try await reviewer.syncOK()
            #expect(caughtUp.rebootstraps.isEmpty)
            try await expectConverged(reviewer, A)
        }
    }
}
