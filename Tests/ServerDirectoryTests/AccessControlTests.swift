import FieldModel
import Foundation
import ServerDirectory
import SyncCore
import Testing

@Suite("Enrolment and authentication against a real directory, on every backend")
struct AccessControlTests {
    static let now: Int64 = 1_800_000_000_000
    let worker = Worker(id: WorkerID(unchecked: "va-1"), name: "协理员", role: .villageAssistant,
                        assignment: Assignment(villages: [try! VillageCode(validating: "140821100201")]))

    func withAccess(_ backend: DirectoryBackend, _ body: (AccessControl, Principal, DirectoryBackend.Opened) async throws -> Void) async throws {
        let opened = try await backend.open()
        let access = AccessControl(store: opened.store, serverReplica: ReplicaID(0x5E))
        let token = try #require(try await access.bootstrap(now: Self.now))
        #expect(try await access.bootstrap(now: Self.now) == nil, "bootstrapped once")
        let admin = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now, route: "test")
        try await body(access, admin, opened)
        try await opened.close()
    }

    @Test("instances starting together bootstrap one administrator", arguments: DirectoryBackend.all)
    func concurrentBootstrap(backend: DirectoryBackend) async throws {
        let opened = try await backend.open()
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<6 {
                group.addTask { try await AccessControl(store: opened.store, serverReplica: ReplicaID(0x5E)).bootstrap(now: Self.now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(tokens.compactMap { $0 }.count == 1, "one token written, the others found it")
        #expect(try await opened.store.credentials(worker: AccessControl.bootstrapAdministrator).count == 1)
        try await opened.close()
    }

    @Test(arguments: DirectoryBackend.all)
    func aCodeBecomesADeviceTokenThatWorksUntilRevoked(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin, _ in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let code = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now)
            let enrolment = try await access.enrol(code: code.code, replica: ReplicaID(7), deviceName: "phone", now: Self.now + 1)
            let principal = try await access.authenticate(authorization: "Bearer \(enrolment.token)", now: Self.now + 2, route: "test")
            #expect(principal.device?.replica == ReplicaID(7) && principal.worker == worker && !principal.isAdministrator)
            _ = try await access.revokeDevice(enrolment.credential.id, by: admin, now: Self.now + 3)
            var revoked = DirectoryError(.revoked, "credential \(enrolment.credential.id) of worker va-1 was revoked; enrol the device again with a new code")
            revoked.wipe = .lost
            await #expect(throws: revoked) {
                _ = try await access.authenticate(authorization: "Bearer \(enrolment.token)", now: Self.now + 4, route: "test")
            }
            for header in [nil, "Basic abc", "Bearer ", "Bearer dst_unknown"] {
                let error = await #expect(throws: DirectoryError.self) { _ = try await access.authenticate(authorization: header, now: Self.now, route: "test") }
                #expect([.unauthenticated, .invalidToken].contains(error?.code), "\(String(describing: header))")
            }
            // The stored hash is not the token.
            let stored = try await access.store.credentials(worker: worker.id)
            #expect(stored.count == 1 && stored[0].tokenHash == TokenHash(of: enrolment.token) && stored[0].tokenHash.hex != enrolment.token)
        }
    }

    @Test(arguments: DirectoryBackend.all)
    func administratorActionsNeedAnAdministrator(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin, _ in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let code = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: 60_000, now: Self.now)
            let device = try await access.enrol(code: code.code, replica: ReplicaID(9), deviceName: "phone", now: Self.now)
            let principal = try await access.authenticate(authorization: "Bearer \(device.token)", now: Self.now, route: "test")
            await #expect(throws: DirectoryError.self) { try await access.requireAdministrator(principal, route: "POST /v1/admin/workers", now: Self.now) }
            await #expect(throws: DirectoryError.self) {
                try await access.createWorker(Worker(id: WorkerID(unchecked: "x"), name: "x", role: .villageAssistant, assignment: Assignment()), by: admin, now: Self.now)
            }
            await #expect(throws: DirectoryError.self) { _ = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: 1, now: Self.now) }
            await #expect(throws: DirectoryError(.workerExists, "worker va-1 exists already; change it with an update")) {
                try await access.createWorker(worker, by: admin, now: Self.now)
            }
        }
    }

    @Test(arguments: DirectoryBackend.all)
    func theSecurityLogIsAppendOnlyAndNamesNoSecret(backend: DirectoryBackend) async throws {
        try await withAccess(backend) { access, admin, opened in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let code = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now)
            let enrolment = try await access.enrol(code: code.code, replica: ReplicaID(11), deviceName: "phone", now: Self.now)
            let events = try await access.store.securityEvents(limit: 100)
            #expect(events.map(\.kind) == [.bootstrap, .adminAction, .adminAction, .enrolment])
            for e in events { #expect(!e.detail.contains(code.code) && !e.detail.contains(enrolment.token)) }
            for statement in ["UPDATE security_log SET detail = 'x'", "DELETE FROM security_log"] {
                await #expect(throws: (any Error).self, "\(statement)") { try await opened.execute(statement) }
            }
            #expect(try await access.store.securityEvents(limit: 100) == events)
        }
    }
}
