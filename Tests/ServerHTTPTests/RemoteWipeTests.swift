import FieldModel
import Foundation
import Replica
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncClient
import SyncCore
import Testing

/// A device revoked as lost wipes itself at its next contact; one revoked as retired hands in
/// its outbox first, gets nothing more, then wipes (SPEC §11.7).
@Suite("Remote wipe of lost and retired devices")
struct RemoteWipeTests {
    let A = HTTPFixture.villageA

    @Test func aRetiredDeviceHandsInEveryUnsyncedChangeGetsNothingMoreThenWipes() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0xE1)
            let colleague = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0xE2)
            try await device.syncOK()
            try await colleague.syncOK()
            // More unsynced changes than one batch (50) holds.
            let households = try device.replica.households(in: A)
            var written: [Change] = []
            for n in 0..<70 {
                written += try device.replica.updateHousehold(households[n % households.count].id, [.notes: .text("第\(n)次走访")])
            }
            // Meanwhile a colleague's change reaches the server: the retired device must not receive it.
            try colleague.replica.updateHousehold(households[0].id, [.phone: .text("13700000000")])
            try await colleague.syncOK()

            let revoked = try await d.admin.revokeDevice(device.deviceID, reason: "retired")
            #expect(revoked.revocation == "retired")
            let report = await device.sync()
            #expect(report.wiped && report.acked == written.count && report.rejected == 0, "\(report)")
            #expect(report.pulled == 0, "a retired device receives nothing")
            #expect(!FileManager.default.fileExists(atPath: device.replica.path) && !FileManager.default.fileExists(atPath: device.replica.path + ".keys"))
            // Every change it held is on the server: nothing unsynced was lost.
            let audit = try await d.admin.auditLog(replica: device.identity.replica.description)
            #expect(Set(audit.map(\.dot)).isSuperset(of: written.map(\.dot.description)))
            for h in households.prefix(5) {
                let stored = try #require(try await d.store.record(RecordKey(.household, h.id, scope: A)))
                #expect(stored.value(Schema.household.id("notes")).textValue?.hasPrefix("第") == true)
            }
            // Its token opens nothing else, and the wipe instruction stands.
            let conflicts = try await d.raw("GET", "/v1/conflicts", token: device.token)
            #expect(conflicts.status == 401 && conflicts.error?.wipe == "retired" && conflicts.headers["doorstep-wipe"] == "retired")
        }
    }

    @Test func aLostDeviceWipesAtOnceWhateverItHolds() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0xE3)
            try await device.syncOK()
            let h = try device.replica.households(in: A)[0]
            try device.replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(98_700)])
            _ = try await d.admin.revokeWorkerDevices(HTTPFixture.assistant(A).id.rawValue)
            let report = await device.sync()
            #expect(report.wiped && report.acked == 0)
            #expect(!FileManager.default.fileExists(atPath: device.replica.path))
            #expect(try await d.store.record(RecordKey(.household, h.id, scope: A))?.value(Schema.household.id("monthlyIncomeFen")) != .int(98_700))
            let raw = try await d.raw("POST", "/v1/sync", token: device.token, headers: ["Content-Encoding": "deflate"], body: [0x78, 0x9C])
            #expect(raw.status == 401 && raw.error?.wipe == "lost")
        }
    }

    @Test func aReEnrolledDevicesOldTokenIsNotToldToWipe() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let first = try await d.enrol(HTTPFixture.assistant(A), replica: 0xE4)
            try await first.syncOK()
            _ = try await d.enrol(HTTPFixture.assistant(A), replica: 0xE4)
            let raw = try await d.raw("GET", "/v1/conflicts", token: first.token)
            #expect(raw.status == 401 && raw.error?.code == "revoked" && raw.error?.wipe == nil, "the same phone holds the new token")
        }
    }
}
