import FieldModel
import Foundation
import Replica
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import Testing

@Suite("Enrolment, sync and revocation over HTTP")
struct EnrolmentTests {
    let A = HTTPFixture.villageA

    @Test func aDeviceEnrolsPullsItsVillageAndPushesAVisit() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0xA1)
            #expect(device.identity.worker.assignment.villages == [A])
            let first = try await device.syncOK()
            let households = try device.replica.households(in: A)
            #expect(households.count == HTTPFixture.households(in: A).count)
            #expect(first.exchanges > 1, "the village comes in pages of 40")

            let h = households[0]
            var g = SystemRandomNumberGenerator()
            let visit = Visit(id: RecordID(milliseconds: d.clock.now, using: &g), householdID: h.id, village: A, kind: .annualReview,
                              worker: device.identity.worker.id, date: CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now),
                              monthlyIncomeFen: 480_00, assetsFen: 0, livingCondition: .difficult, recommendation: .maintain,
                              notes: "入户核查", corrects: nil)
            try device.replica.recordVisit(visit)
            let second = try await device.syncOK()
            #expect(second.acked == 1)
            let stored = try await d.store.record(RecordKey(.visit, visit.id, scope: A))
            #expect(stored?.value(Schema.visit.id("monthlyIncomeFen")) == .int(480_00))
            let audit = try await d.store.auditEntries(limit: 5)
            #expect(audit.last?.deviceID == device.deviceID && audit.last?.worker == device.identity.worker.id)
            let events = try await d.store.securityEvents(limit: 20)
            #expect(events.contains { $0.kind == .enrolment && $0.subject == device.deviceID })
        }
    }

    @Test func aCodeWorksOnceAndOnlyBeforeItExpires() async throws {
        try await Deployment.with { d in
            let worker = HTTPFixture.assistant(A)
            try await d.create(worker)
            let code = try await d.admin.issueCode(worker: worker.id.rawValue, lifetimeHours: 1)
            // Typed in lower case, without dashes, with O for 0: still the code.
            let typed = code.code.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "0", with: "o")
            _ = try await DeviceEnrolment.enrol(server: d.running.url, code: typed, replica: ReplicaID(0xB1), deviceName: "first")
            #expect(await enrolError(d, code.code, replica: 0xB2)?.kind == .refused(status: 403, code: "invalid_code"), "used once already")

            let late = try await d.admin.issueCode(worker: worker.id.rawValue, lifetimeHours: 1)
            d.clock.advance(by: 3_600_001)
            let error = await enrolError(d, late.code, replica: 0xB3)
            #expect(error?.kind == .refused(status: 403, code: "invalid_code"))
            #expect(error?.message.contains("expired") == true)
            #expect(await enrolError(d, "ZZZZ-ZZZZ-ZZZZ", replica: 0xB4)?.kind == .refused(status: 403, code: "invalid_code"))

            // Refusals are tallied per address and minute, written once their minute is over.
            try await d.access.flushSecurityLog(now: nil)
            let events = try await d.store.securityEvents(limit: 50)
            let refused = events.filter { $0.kind == .enrolmentRefused }
            #expect(refused.map(\.count).reduce(0, +) == 3 && refused.count == 2, "one entry per minute from 127.0.0.1: \(refused)")
            #expect(refused.allSatisfy { $0.subject == "127.0.0.1" })
            // No code or token text ever reaches the log.
            for e in events { #expect(!e.detail.contains(code.code) && !e.detail.contains(late.code)) }
        }
    }

    @Test func aReplicaBelongsToOneWorkerButItsOwnDeviceMayReEnrol() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A, 1), replica: 0xC1)
            try await device.syncOK()
            let other = HTTPFixture.assistant(A, 2)
            try await d.create(other)
            let code = try await d.admin.issueCode(worker: other.id.rawValue)
            #expect(await enrolError(d, code.code, replica: 0xC1)?.kind == .refused(status: 409, code: "replica_taken"))
            #expect(await enrolError(d, code.code, replica: Deployment.serverReplica.rawValue)?.kind == .refused(status: 409, code: "replica_taken"))

            // The same phone re-enrols (a reinstall that kept its files): the old token stops, the new one works.
            let again = try await d.enrol(HTTPFixture.assistant(A, 1), replica: 0xC1)
            #expect(failureCode(await device.sync()) == "revoked", "the old token is revoked")
            try await again.syncOK()
        }
    }

    @Test func aDeviceRevokedAsLostIsRefusedOnItsVeryNextRequestAndWipesItself() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0xD1)
            try await device.syncOK()
            let h = try device.replica.households(in: A)[0]
            try device.replica.updateHousehold(h.id, [.phone: .text("13912345678")])

            let revoked = try await d.admin.revokeDevice(device.deviceID)
            #expect(revoked.revokedAtMilliseconds == d.clock.now && revoked.revocation == "lost")
            let report = await device.sync()
            #expect(failureCode(report) == "revoked" && report.wiped, "told to wipe, it wiped")
            #expect(!FileManager.default.fileExists(atPath: device.replica.path), "the replica file is gone")
            #expect(throws: ReplicaError.self) { try device.replica.outboxSummary() }
            #expect(try await d.store.record(RecordKey(.household, h.id, scope: A))?.value(Schema.household.id("phone")) == h.phone.map(FieldValue.text) ?? .null,
                    "a lost phone's unsent change never reaches the server")

            // Revoking a worker's devices stops every one of them.
            let second = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0xD2)
            let third = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0xD3)
            #expect(try await d.admin.revokeWorkerDevices(HTTPFixture.assistant(A, 2).id.rawValue).revoked == 2)
            for device in [second, third] {
                let raw = try await d.raw("POST", "/v1/sync", token: device.token, headers: ["Content-Encoding": "deflate"], body: [0x78, 0x9C])
                #expect(raw.status == 401 && raw.error?.code == "revoked")
                #expect(raw.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            }
            try await d.access.flushSecurityLog(now: nil)
            let events = try await d.store.securityEvents(limit: 50)
            #expect(events.filter { $0.kind == .revocation }.count == 2)
            #expect(events.filter { $0.kind == .authenticationFailure }.map(\.count).reduce(0, +) >= 3)
        }
    }

    func failureCode(_ report: SyncReport) -> String? {
        if case .failure(let code, _) = report.outcome { code } else { nil }
    }

    func enrolError(_ d: Deployment, _ code: String, replica: UInt64) async -> TransportError? {
        do {
            _ = try await DeviceEnrolment.enrol(server: d.running.url, code: code, replica: ReplicaID(replica), deviceName: "phone")
            return nil
        } catch { return error }
    }
}
