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

    @Test func aScopeOverItsBudgetIsWarnedThenBlockedUntilTheAssignmentIsNarrowed() async throws {
        let inA = HTTPFixture.households(in: A).count + HTTPFixture.dataset.members.filter { $0.village == A }.count
        let inB = HTTPFixture.households(in: B).count + HTTPFixture.dataset.members.filter { $0.village == B }.count
        try await Deployment.with(engine: {
            $0.scopeWarningRecords = max(inA, inB) - 1
            $0.scopeBlockingRecords = inA + inB - 1
        }) { d in
            try await d.seed(A)
            let reviewer = try await d.enrol(HTTPFixture.reviewer, replica: 0x44)
            let warned = try await reviewer.syncOK()
            #expect(warned.warnings.map(\.code) == ["scope_budget_warning"], "\(warned.warnings)")

            try await d.seed(B)
            let blocked = await reviewer.sync()
            guard case .failure(let code, let message) = blocked.outcome else { Issue.record("a scope over the blocking level synced"); return }
            #expect(code == "scope_blocked" && message.contains("\(inA + inB) records"), "\(message)")
            #expect(try await d.store.securityEvents(limit: 5).last?.kind == .authorizationFailure)

            // Narrowed to one village: assignments fit roles, so the worker serves it as its assistant.
            var narrowed = WorkerDocument(HTTPFixture.reviewer)
            narrowed.role = Role.villageAssistant.rawValue
            narrowed.townships = []
            narrowed.villages = [A.description]
            _ = try await d.admin.updateWorker(narrowed)
            let again = try await reviewer.syncOK()
            #expect(again.warnings.map(\.code) == ["scope_budget_warning"])
        }
    }

    @Test func aFilingMadeByTheAdministratorBindsTheRelativeAtOnce() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let assistant = HTTPFixture.assistant(A)
            let device = try await d.enrol(assistant, replica: 0x45)
            try await device.syncOK()
            let household = HTTPFixture.households(in: A)[4]
            let filed = try await d.admin.file(FilingDocument(staff: assistant.id.rawValue, household: household.id.description,
                                                              village: A.description, relation: "sibling"))
            #expect(RecordID(uuidString: filed.id) != nil)
            try await device.syncOK()
            // The device now refuses the relative's eligibility write itself; a forged one is refused by the server.
            #expect(throws: (any Error).self) { try device.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(1_00)]) }
            let key = RecordKey(.household, household.id, scope: A)
            let stored = try #require(try await d.store.record(key))
            let counter = try device.replica.lastCounter() + 1
            let change = Change(dot: Dot(device.identity.replica, counter), record: key, operation: .set(Schema.household.id("monthlyIncomeFen"), .int(1_00)),
                                context: stored.version, hlc: HLCTimestamp(milliseconds: d.clock.now, logical: 0), author: assistant.id)
            let request = SyncRequest(replica: device.identity.replica, appVersion: "test", cursors: [:], changes: [change],
                                      health: DeviceHealth(), pageLimit: 10, deviceTimeMilliseconds: d.clock.now)
            let response = try SyncCodec.decodeResponse(try await device.transport.exchange(SyncCodec.encodeRequest(request)))
            #expect(response.rejections.map(\.reason) == ["recusal"])
            #expect(try await d.store.record(key) == stored)
            let unknownStaff = await failureOf {
                try await d.admin.file(FilingDocument(staff: "nobody", household: household.id.description, village: A.description, relation: "sibling"))
            }
            #expect(unknownStaff?.status == 404 && unknownStaff?.document.code == "unknown_worker")
        }
    }
}
