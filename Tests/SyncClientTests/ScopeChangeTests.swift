import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

@Suite("Reassignment: the old village goes, the new one is pulled from zero")
struct ScopeChangeTests {
    let A = Fixture.villageA
    let B = Fixture.villageB

    @Test func aReassignedDeviceDropsItsOldVillageAndShowsItsRefusedChange() async throws {
        try await TestServer.with(others: [Fixture.villageB]) { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 8)
            try await device.syncOK()
            #expect(try device.replica.villages() == [A])
            let household = Fixture.households(A)[0]
            let pending = try device.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(42_00)])[0]
            let before = server.received(from: device.deviceID).count

            server.reassign(device.deviceID, to: Assignment(villages: [B]))
            let report = try await device.syncOK()

            #expect(report.dropped == [A])
            #expect(report.rejected == 1 && report.acked == 0)
            let rejected = try device.replica.outboxSummary().rejected
            #expect(rejected.map(\.change) == [pending], "the change stays visible")
            #expect(rejected.first?.reason == "outside_scope")
            #expect(rejected.first?.message.isEmpty == false)
            #expect(try device.replica.viewStates(in: A).isEmpty)
            #expect(try device.replica.confirmedStates(in: A).isEmpty)
            #expect(try device.replica.villages() == [B])
            #expect(try await server.engine.store.record(pending.record)?.value(pending.operation.field!) != .int(42_00),
                    "the server applied nothing")

            // Village B came from position 0, whole.
            let first = try #require(server.received(from: device.deviceID).dropFirst(before).first)
            #expect(first.cursors[B] == nil && first.cursors[A] != nil)
            let (statesB, _) = try await server.village(B)
            #expect(report.pulled == statesB.count)
            try await expectConverged(device, B)

            let identity = try device.replica.currentIdentity()
            #expect(identity.worker.assignment.covers(B) && !identity.worker.assignment.covers(A))
            #expect(try device.replica.households(in: B).count == 10)

            // Work goes on in the new village.
            let target = Fixture.households(B)[0]
            try device.replica.updateHousehold(target.id, [.phone: .text("13612345678")])
            let next = try await device.syncOK()
            #expect(next.acked == 1 && next.rejected == 0)
            #expect(try device.replica.outboxSummary().rejected.count == 1, "the old refusal is still shown")
            try await expectConverged(device, B)
        }
    }
}
