import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

/// A device trims what only grows: old sync attempts (never the last success) and confirmed
/// tombstones past the horizon, never a row with a change the server has not confirmed.
@Suite("The device trims its sync log and old tombstones")
struct DeviceRetentionTests {
    let A = Fixture.villageA

    @Test func oldConfirmedTombstonesGoPendingOnesStayAndTheDigestHolds() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            // Members the assistant entered by mistake on its own application: the deletes field staff may make.
            let application = Fixture.application(70, in: A)
            try device.replica.createHousehold(application)
            let gone = Fixture.member(71, of: application), pending = Fixture.member(72, of: application)
            try device.replica.addMember(gone)
            try device.replica.addMember(pending)
            try await device.syncOK()
            _ = try device.replica.deleteMember(gone.id)
            try await device.syncOK()
            _ = try device.replica.deleteMember(pending.id)  // not synced: still in the outbox

            var retention = DeviceRetention()
            retention.tombstoneMilliseconds = 3 * Fixture.msPerDay
            retention.syncLogMilliseconds = 3 * Fixture.msPerDay
            let early = try device.replica.trim(retention)
            #expect(early.tombstones == 0 && early.syncLog == 0, "nothing is old enough yet: \(early)")

            server.clock.advance(by: 5 * Fixture.msPerDay)
            let digest = try device.replica.digest(of: A)
            let trimmed = try device.replica.trim(retention)
            #expect(trimmed.tombstones == 1 && trimmed.syncLog == 2, "\(trimmed)")
            #expect(try device.replica.record(.member, gone.id) == nil, "the confirmed tombstone's row is gone")
            #expect(try device.replica.record(.member, pending.id)?.isDeleted == true, "the unsynced delete stays")
            #expect(try device.replica.digest(of: A) == digest, "deleted records never counted in the digest")
            #expect(try device.replica.lastSuccessfulSync() != nil, "the last successful sync is kept")

            // The kept delete still reaches the server, and the device still equals it.
            let report = try await device.syncOK()
            #expect(report.acked == 1)
            try await expectConverged(device, A)
        }
    }
}
