import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

/// SPEC §4, "Restores", between a real replica and a real engine: the device keeps what the
/// server acknowledged until a backup covers it, and sends it again to a server of a new epoch.
@Suite("Retention for restores")
struct RestoreTests {
    let A = Fixture.villageA

    @Test func acknowledgedChangesAreKeptUntilABackupCoversThemAndSentAgainAfterARestore() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let houses = Fixture.households(A)
            _ = try device.replica.updateHousehold(houses[0].id, [.notes: .text("备份前一")])
            _ = try device.replica.updateHousehold(houses[1].id, [.notes: .text("备份前二")])
            #expect(try await device.syncOK().acked == 2)
            #expect(try device.replica.retainedCount() == 2, "acknowledged, but no backup holds them yet")

            let mark = try await server.engine.store.recoveryMark()
            try await server.engine.store.recordBackup(through: mark.lastSequence, at: server.clock.milliseconds)
            _ = try device.replica.updateHousehold(houses[2].id, [.notes: .text("备份之后")])
            #expect(try await device.syncOK().acked == 1)
            #expect(try device.replica.retainedCount() == 1, "the backup covers the first two; the third came after it")

            _ = try await server.engine.store.markRestored()
            let report = try await device.syncOK()
            #expect(report.acked == 1, "the kept change went up again, and nothing else")
            #expect(try device.replica.retainedCount() == 1, "kept again, now under the new epoch")
            #expect(try device.replica.outboxSummary().pending == 0)
            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(counts.count == 3 && counts.values.allSatisfy { $0 == 1 }, "each change applied once: the resend was a duplicate of the same dot")
            #expect(try device.replica.householdDetail(houses[2].id).household.notes == "备份之后")
            try await expectConverged(device, A)
        }
    }
}
