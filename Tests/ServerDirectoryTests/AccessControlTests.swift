import FieldModel
import Foundation
import GRDB
import ServerDirectory
import ServerSQLite
import SyncCore
import Testing

@Suite("Enrolment and authentication against a real SQLite directory")
struct AccessControlTests {
    static let now: Int64 = 1_800_000_000_000
    let worker = Worker(id: WorkerID(unchecked: "va-1"), name: "协理员", role: .villageAssistant,
                        assignment: Assignment(villages: [try! VillageCode(validating: "140821100201")]))

    func withAccess(_ body: (AccessControl, Principal, String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "doorstep-dir-\(UUID().uuidString).sqlite"
        let store = try SQLiteSyncStore(path: path)
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let access = AccessControl(store: store, serverReplica: ReplicaID(0x5E))
        let token = try #require(try await access.bootstrap(now: Self.now))
        #expect(try await access.bootstrap(now: Self.now) == nil, "bootstrapped once")
        let admin = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now, route: "test")
        try await body(access, admin, path)
        try await store.close()
    }

    @Test func aCodeBecomesADeviceTokenThatWorksUntilRevoked() async throws {
        try await withAccess { access, admin, _ in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let code = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now)
            let enrolment = try await access.enrol(code: code.code, replica: ReplicaID(7), deviceName: "phone", now: Self.now + 1)
            let principal = try await access.authenticate(authorization: "Bearer \(enrolment.token)", now: Self.now + 2, route: "test")
            #expect(principal.device?.replica == ReplicaID(7) && principal.worker == worker && !principal.isAdministrator)
            _ = try await access.revokeDevice(enrolment.credential.id, by: admin, now: Self.now + 3)
            await #expect(throws: DirectoryError(.revoked, "credential \(enrolment.credential.id) of worker va-1 was revoked; enrol the device again with a new code")) {
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

    @Test func administratorActionsNeedAnAdministrator() async throws {
        try await withAccess { access, admin, _ in
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

    @Test func theSecurityLogIsAppendOnlyAndNamesNoSecret() async throws {
        try await withAccess { access, admin, path in
            try await access.createWorker(worker, by: admin, now: Self.now)
            let code = try await access.issueEnrolmentCode(for: worker.id, by: admin, lifetimeMilliseconds: nil, now: Self.now)
            let enrolment = try await access.enrol(code: code.code, replica: ReplicaID(11), deviceName: "phone", now: Self.now)
            let events = try await access.store.securityEvents(limit: 100)
            #expect(events.map(\.kind) == [.bootstrap, .adminAction, .adminAction, .enrolment])
            for e in events { #expect(!e.detail.contains(code.code) && !e.detail.contains(enrolment.token)) }
            let db = try DatabaseQueue(path: path)
            #expect(throws: (any Error).self) { try db.write { try $0.execute(sql: "UPDATE security_log SET detail = 'x'") } }
            #expect(throws: (any Error).self) { try db.write { try $0.execute(sql: "DELETE FROM security_log") } }
            #expect(try await access.store.securityEvents(limit: 100) == events)
        }
    }
}
