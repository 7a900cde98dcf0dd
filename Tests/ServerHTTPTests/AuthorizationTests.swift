import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncCore
import SyncProtocol
import Testing

@Suite("Every request is held to its token's role and scope")
struct AuthorizationTests {
    let A = HTTPFixture.villageA
    let B = HTTPFixture.villageB

    @Test func aChangeOutsideTheDevicesVillagesIsRefusedAndChangesNothing() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            try await d.seed(B)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x41)
            try await device.syncOK()
            // A hand-made request: the device's own replica and counter, a household of village B.
            let target = HTTPFixture.households(in: B)[0]
            let key = RecordKey(.household, target.id, scope: B)
            let stored = try #require(try await d.store.record(key))
            let change = Change(dot: Dot(device.identity.replica, 1), record: key, operation: .set(Schema.household.id("phone"), .text("13800000000")),
                                context: stored.version, hlc: HLCTimestamp(milliseconds: d.clock.now, logical: 0), author: device.identity.worker.id)
            let request = SyncRequest(replica: device.identity.replica, appVersion: "test", cursors: [:], changes: [change],
                                      health: DeviceHealth(), pageLimit: 10, deviceTimeMilliseconds: d.clock.now)
            let bytes = try await device.transport.exchange(SyncCodec.encodeRequest(request))
            let response = try SyncCodec.decodeResponse(bytes)
            #expect(response.rejections.map(\.reason) == ["outside_scope"])
            #expect(try await d.store.record(key) == stored, "village B's household is as it was")
            #expect(try await d.store.auditEntries(limit: 1_000).allSatisfy { $0.deviceID != device.deviceID }, "nothing of the device was applied")
            let refusal = try #require(try await d.store.securityEvents(limit: 5).last)
            #expect(refusal.kind == .authorizationFailure && refusal.credential == device.deviceID)
        }
    }

    @Test func aDeviceTokenOpensNoAdministratorEndpointAndAnAdministratorTokenNoFieldOne() async throws {
        try await Deployment.with { d in
            let device = try await d.enrol(HTTPFixture.reviewer, replica: 0x42)
            let asDevice = APIClient(server: d.running.url, token: device.token)
            let before = try await d.store.stateHash()
            let attempts: [(String, () async throws -> Any)] = [
                ("create worker", { try await asDevice.createWorker(WorkerDocument(HTTPFixture.assistant(self.A, 9))) }),
                ("issue code", { try await asDevice.issueCode(worker: HTTPFixture.reviewer.id.rawValue) }),
                ("revoke", { try await asDevice.revokeDevice(device.deviceID) }),
                ("list devices", { try await asDevice.devices() }),
                ("security log", { try await asDevice.securityLog() }),
            ]
            for (name, attempt) in attempts {
                let failure = await failureOf(attempt)
                #expect(failure?.status == 403 && failure?.document.code == "forbidden", "\(name)")
            }
            #expect(try await d.store.stateHash() == before, "no refused request changed anything")
            let conflicts = await failureOf { try await d.admin.conflicts() }
            #expect(conflicts?.status == 403)
            let sync = try await d.raw("POST", "/v1/sync", token: d.adminToken, headers: ["Content-Encoding": "deflate"], body: [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
            #expect(sync.status == 403 && sync.error?.code == "not_a_device")
            let refusals = try await d.store.securityEvents(limit: 50).filter { $0.kind == .authorizationFailure }
            #expect(refusals.count >= attempts.count + 1)
        }
    }

    @Test func aReassignmentCountsFromTheNextSync() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            try await d.seed(B)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x43)
            try await device.syncOK()
            #expect(try device.replica.villages() == [A])
            var moved = WorkerDocument(HTTPFixture.assistant(A))
            moved.villages = [B.description]
            _ = try await d.admin.updateWorker(moved)
            try await device.syncOK()
            #expect(try device.replica.villages() == [B])
            #expect(try device.replica.households(in: B).count == HTTPFixture.households(in: B).count)
        }
    }
}
