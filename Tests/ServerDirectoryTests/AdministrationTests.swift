import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import SyncCore
import Testing

/// Administration cannot lock itself out, a host can always recover it, and codes and devices
/// are revoked with what a revocation means (SPEC §11.1, §11.7).
@Suite("Administration: the last administrator, recovery, codes, revocations")
struct AdministrationTests {
    static let now: Int64 = 1_796_000_000_000
    let worker = Worker(id: WorkerID(unchecked: "va-1"), name: "李华", role: .villageAssistant,
                        assignment: Assignment(villages: [VillageCode(uncheckedRawValue: 140_821_100_201)]))

    func withAccess(_ backend: DirectoryBackend, _ body: (AccessControl, Principal) async throws -> Void) async throws {
        let opened = try await backend.open()
        let access = AccessControl(store: opened.store, serverReplica: ReplicaID(0x5E))
        let token = try #require(try await access.bootstrap(now: Self.now))
        let admin = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now, route: "test")
        do { try await body(access, admin) } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }

    @Test("the last administrator credential is never revoked, demoted or revoked with its worker", arguments: DirectoryBackend.all)
    func lastAdministrator(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin in
            let revoke = await #expect(throws: DirectoryError.self) { _ = try await access.revokeDevice(admin.credential.id, by: admin, now: Self.now + 1) }
            let revokeAll = await #expect(throws: DirectoryError.self) { _ = try await access.revokeWorkerDevices(admin.worker.id, by: admin, now: Self.now + 1) }
            let demotion = Worker(id: admin.worker.id, name: "x", role: .citySupervisor, assignment: Assignment(cities: [CityCode(rawValue: 1408)]))
            let demote = await #expect(throws: DirectoryError.self) { try await access.updateWorker(demotion, by: admin, now: Self.now + 1) }
            for error in [revoke, revokeAll, demote] {
                #expect(error?.code == .lastAdministrator, "\(error?.description ?? "")")
            }
            let stillAdministered = try await access.store.hasAdministratorCredential()
            #expect(stillAdministered)
        }
    }

    @Test("with a second administrator token, the first may go; recovery issues one whatever is left", arguments: DirectoryBackend.all)
    func recovery(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin in
            // Everything revoked behind the API (a database edited by hand, a mistake): the host recovers.
            let (token, credential) = try await access.recover(by: "root@host", now: Self.now + 1)
            let second = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now + 2, route: "t")
            #expect(second.isAdministrator && second.credential.id == credential.id && second.credential.name == "recovery")
            _ = try await access.revokeDevice(admin.credential.id, by: second, now: Self.now + 3)
            await #expect(throws: DirectoryError.self) { _ = try await access.revokeDevice(credential.id, by: second, now: Self.now + 4) }
            let events = try await access.store.securityEvents(limit: 20)
            let recovery = try #require(events.first { $0.kind == .recovery })
            #expect(recovery.detail.contains("root@host") && recovery.credential == credential.id && !recovery.detail.contains(token))
        }
    }

    @Test("codes are listed without their text and revoked one by one; revoking a worker voids the rest", arguments: DirectoryBackend.all)
    func codes(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let one = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now)
            let two = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now + 1)
            let three = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now + 1)
            #expect(Set([one.id, two.id, three.id]).count == 3 && one.id.hasPrefix("code-"))

            let revoked = try await access.revokeEnrolmentCode(one.id, by: admin, now: Self.now + 1)
            #expect(revoked.revokedAtMilliseconds == Self.now + 1)
            let refused = await #expect(throws: DirectoryError.self) {
                _ = try await access.enrol(code: one.code, replica: ReplicaID(0x71), deviceName: "phone", now: Self.now + 2)
            }
            #expect(refused?.code == .invalidCode && refused?.message.contains("revoked") == true)
            let device = try await access.enrol(code: two.code, replica: ReplicaID(0x72), deviceName: "phone", now: Self.now + 2)

            let done = try await access.revokeWorkerDevices(worker.id, reason: .retired, by: admin, now: Self.now + 3)
            #expect(done == WorkerRevocation(credentials: 1, codes: 1), "the device, and the one unused code left")
            await #expect(throws: DirectoryError.self) {
                _ = try await access.enrol(code: three.code, replica: ReplicaID(0x73), deviceName: "phone", now: Self.now + 4)
            }
            let codes = try await access.store.enrolmentCodes(worker: worker.id)
            #expect(Set(codes.map(\.id)) == [one.id, two.id, three.id] && codes[0].id == one.id, "oldest first")
            let byID = Dictionary(uniqueKeysWithValues: codes.map { ($0.id, $0) })
            #expect(byID[two.id]?.usedBy == device.credential.id && byID[two.id]?.revokedAtMilliseconds == nil, "a used code stays used")
            #expect(byID[three.id]?.revokedAtMilliseconds == Self.now + 3)
            await #expect(throws: DirectoryError.self) { _ = try await access.revokeEnrolmentCode("code-unknown", by: admin, now: Self.now) }
            // A retired device still authenticates for the sync route, and only there.
            let retired = try await access.authenticate(authorization: "Bearer \(device.token)", now: Self.now + 5, route: "sync", acceptingRetired: true)
            #expect(retired.credential.revocation == .retired)
            let error = await #expect(throws: DirectoryError.self) {
                _ = try await access.authenticate(authorization: "Bearer \(device.token)", now: Self.now + 5, route: "conflicts")
            }
            #expect(error?.code == .revoked && error?.wipe == .retired)
        }
    }

    @Test("an ops session belongs to its administrator credential, expires, ends at logout and with the credential", arguments: DirectoryBackend.all)
    func opsSessions(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin in
            let session = try await access.openOpsSession(for: admin, now: Self.now)
            #expect(session.id.hasPrefix("dst_") && session.expiresAtMilliseconds == Self.now + access.opsSessionMilliseconds)
            #expect(try await access.opsSession(session.id, now: Self.now + 1)?.credential.id == admin.credential.id)
            #expect(try await access.opsSession(session.id, now: session.expiresAtMilliseconds) == nil, "expired")
            #expect(try await access.opsSession("dst_made_up", now: Self.now + 1) == nil)
            try await access.endOpsSession(session.id, now: Self.now + 2)
            #expect(try await access.opsSession(session.id, now: Self.now + 3) == nil, "ended at logout")

            let other = try await access.openOpsSession(for: admin, now: Self.now + 4)
            let (token, _) = try await access.recover(by: "root@host", now: Self.now + 5)
            let second = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now + 5, route: "t")
            _ = try await access.revokeDevice(admin.credential.id, by: second, now: Self.now + 6)
            #expect(try await access.opsSession(other.id, now: Self.now + 7) == nil, "revoking the token ends its sessions")
        }
    }
}
