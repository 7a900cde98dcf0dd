import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

/// A phone whose clock jumps ahead after its last sync stamps its writes in the future; the
/// server refuses them (`clock_ahead`) and the device re-stamps and re-sends them under new
/// dots (SPEC §6), in order, as the sequence the worker made — never as a conflict with itself.
@Suite("Writes stamped in the future are re-stamped and re-sent")
struct ClockAheadTests {
    let A = Fixture.villageA

    @Test(arguments: [2, 400])
    func aClockThatJumpedAheadLosesNoWrite(days: Int64) async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let household = Fixture.households(A)[0]
            device.clockError.milliseconds = days * Fixture.msPerDay
            try device.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(41_000)])
            try device.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(42_000), .phone: .text("13700000001")])
            try device.replica.addMember(Fixture.member(7, of: household))

            let report = try await device.syncOK()
            #expect(report.rejected == 4 && report.restamped == 4, "\(report)")
            #expect(try device.replica.outboxSummary().rejected.isEmpty, "nothing stays refused")
            // A write after the sync follows the corrected clock: accepted the first time.
            try device.replica.updateHousehold(household.id, [.notes: .text("复核后")])
            let after = try await device.syncOK()
            #expect(after.rejected == 0 && after.acked == 1)

            let state = try #require(try await server.village(A).states.first { $0.key.id == household.id })
            #expect(state.value(Schema.household.id("monthlyIncomeFen")) == .int(42_000), "the later income stands")
            #expect(!state.needsReview, "two writes in a row by one worker are no conflict")
            #expect(state.value(Schema.household.id("phone")) == .text("13700000001"))
            #expect(state.lastModified.milliseconds <= Fixture.now + Fixture.msPerDay, "stamped by the corrected clock: \(state.lastModified)")
            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(counts.count == 5 && counts.values.allSatisfy { $0 == 1 }, "four re-stamped changes and the last one, each once: \(counts)")
            try await expectConverged(device, A)
        }
    }
}
