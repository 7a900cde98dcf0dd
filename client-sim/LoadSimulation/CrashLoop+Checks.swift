import DataProtection
import FieldModel
import Foundation
import Replica
import ServerHTTP
import ServerSQLite
import SyncClient
import SyncClientHTTP
import SyncCore

extension CrashLoop {
    /// The checks on a killed device's files, before anything else touches them.
    func checkAfterKill(_ d: Int, cycle: Int) async throws {
        let device = devices[d]
        let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
        defer { try? replica.close() }
        let integrity = try replica.integrityCheck()
        if integrity != "ok" { fail("cycle \(cycle): \(device.name)'s replica fails integrity_check: \(integrity)") }
        let applied = try await appliedCounts(device)
        let outbox = Set(try replica.outboxChanges().map(\.dot.counter))
        let pending = Set(try replica.pendingChanges().map(\.dot.counter))
        for rejected in try replica.outboxSummary().rejected {
            fail("cycle \(cycle): \(device.name)'s \(rejected.change.dot) was rejected: \(rejected.reason) \(rejected.message)")
        }
        let last = try replica.lastCounter()
        // Every write the process printed as committed is still on the device, or on the server
        // and in the device's copy of the record.
        for (counter, (collection, id)) in device.ledger {
            let dot = Dot(device.replica, counter)
            guard counter <= last else { fail("cycle \(cycle): \(device.name) printed \(dot) as committed, but its counter is at \(last)"); continue }
            if outbox.contains(counter) { continue }
            let held = try replica.record(collection, id)?.version.covers(dot) ?? false
            if applied[dot.description] == nil || !held {
                fail("cycle \(cycle): \(device.name) lost \(dot) (\(collection.name) \(id)): not in its outbox, \(applied[dot.description] == nil ? "not on the server" : "not in its copy of the record")")
            }
        }
        try await checkPhotos(d, cycle: cycle, replica: replica, final: false)
        // Nothing is marked synced (acknowledged, or dropped as confirmed) that the server did not apply.
        for counter in stride(from: UInt64(1), through: last, by: 1) {
            let dot = Dot(device.replica, counter).description
            if pending.contains(counter) {
                if applied[dot] != nil { report.resentAfterLostResponse += 1 }
            } else if applied[dot] == nil {
                fail("cycle \(cycle): \(device.name) holds \(dot) as synced, but the server never applied it")
            }
        }
    }

    /// Syncs device `d` until a sync succeeds (restarting a server that crashes meanwhile);
    /// then its outbox is empty and the server holds each of its changes exactly once.
    func syncToTheEnd(_ d: Int, cycle: Int) async throws {
        let device = devices[d]
        var outcome: SyncSession.Outcome?
        for _ in 1...8 {
            try await ensureServer()
            let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
            var session = SyncSession.Configuration()
            session.maxAttempts = 2
            let client = SyncClient(replica: replica, transport: HTTPTransport(server: server!.url, token: try token(of: device)), configuration: session,
                                    sleep: { _ in }, jitter: { 0.5 }, now: LoadClock.now)
            let report = await client.sync()
            try replica.close()
            outcome = report.outcome
            if report.succeeded { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard outcome == .success else {
            fail("cycle \(cycle): \(device.name) could not sync to the end after the restart: \(outcome.map { "\($0)" } ?? "no attempt")")
            return
        }
        let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
        defer { try? replica.close() }
        let pending = try replica.pendingChanges().count
        if pending > 0 { fail("cycle \(cycle): \(device.name) still holds \(pending) unacknowledged changes after a successful sync") }
        let applied = try await appliedCounts(device)
        let last = try replica.lastCounter()
        for counter in stride(from: UInt64(1), through: last, by: 1) where applied[Dot(device.replica, counter).description] == nil {
            fail("cycle \(cycle): \(device.name)'s \(Dot(device.replica, counter)) is not on the server after a successful sync")
        }
    }

    /// How often the server applied each of the device's dots, from its audit log; a dot applied
    /// twice is a failure here and now.
    func appliedCounts(_ device: CrashLoopDevice) async throws -> [String: Int] {
        let audit = try await withServer { try await $0.auditLog(replica: device.replica.description, limit: 100_000) }
        let counts = audit.reduce(into: [String: Int]()) { $0[$1.dot, default: 0] += 1 }
        for (dot, n) in counts where n > 1 { fail("the server applied \(device.name)'s \(dot) \(n) times") }
        return counts
    }

    /// An administrator call, made again on a restarted server when the server died under it
    /// (it may die between any two requests: that is the point of the loop).
    func withServer<T: Sendable>(_ call: @Sendable (APIClient) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            try await ensureServer()
            do { return try await call(try admin()) } catch let failure as APIClient.Failure { throw failure } catch {
                attempt += 1
                guard attempt < 10 else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The device's token, where `doorstep-device` keeps it: in the key store beside its replica.
    func token(of device: CrashLoopDevice) throws -> String {
        guard let token = try FileKeyStore.beside(device.replicaPath).text("token") else {
            throw LoadError(.device, "device \(device.directory) holds no token in its key store")
        }
        return token
    }

    /// After the last cycle: every device syncs twice more, and all hold the same village, which
    /// the server holds with every change of every device once.
    func converge() async throws {
        for _ in 1...2 {
            for d in devices.indices {
                try await syncToTheEnd(d, cycle: configuration.cycles)
                try await uploadToTheEnd(d, cycle: configuration.cycles)
            }
        }
        let village = try VillageCode(validating: Self.village)
        var digests: [String: ScopeDigest] = [:]
        var total = 0
        for device in devices {
            let replica = try Replica(existingAt: device.replicaPath, wallClock: LoadClock.now)
            defer { try? replica.close() }
            digests[device.name] = try replica.digest(of: village)
            total += Int(try replica.lastCounter())
            report.writesOnServer += try await appliedCounts(device).count
        }
        if Set(digests.values).count > 1 { fail("after the last sync the devices' copies of village \(village) differ: \(digests)") }
        if report.writesOnServer != total { fail("the server applied \(report.writesOnServer) changes; the devices made \(total)") }
        report.photosOnServer = devices.reduce(0) { $0 + $1.photosOnServer.count }
        if report.photosOnServer != report.photosTaken {
            fail("the server serves \(report.photosOnServer) of the \(report.photosTaken) photos the devices printed as taken")
        }
    }
}

/// The server's database file, checked while no server has it open.
enum ServerFile {
    static func integrityCheck(_ path: String) async throws -> String {
        let store = try SQLiteSyncStore(path: path)
        let answer = try await store.integrityCheck()
        try await store.close()
        return answer
    }
}
