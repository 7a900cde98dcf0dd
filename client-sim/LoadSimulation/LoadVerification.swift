import AsyncHTTPClient
import FieldModel
import Foundation
import Replica
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyntheticData

/// The checks after the heal, asked of the servers themselves: through a read-only verifier
/// device per township (what the server holds), the audit log (what it applied, how often) and
/// the current assignments (what each device may hold).
struct LoadVerification {
    let plan: LoadPlan
    let devices: [LoadDevice]
    let servers: [URL]
    let admins: [APIClient]
    let directory: String
    let seed: UInt64
    let http: HTTPClient
    /// Per device, what it had acknowledged before a restore drill's restore (empty without one).
    var acknowledgedBeforeRestore: [String: Set<Dot>] = [:]

    func verify() async throws -> VerificationResult {
        var result = VerificationResult()
        let verifiers = try await enrolVerifiers()
        defer { for v in verifiers.values { try? v.close() } }
        let assignments = Dictionary(uniqueKeysWithValues: try await admins[0].workers().map { ($0.id, $0) })

        for device in devices {
            let ledger = await device.ledger
            let summary = try device.replica.outboxSummary()
            let stranded = await device.stranded
            if stranded {
                result.strandedDevices.append(device.deviceID)
                result.strandedChanges += summary.pending
            } else if summary.pending > 0 {
                result.fail("\(device.deviceID) still holds \(summary.pending) unsynced changes after the heal")
            }
            let rejected = Set(summary.rejected.map(\.change.dot))
            let pending = Set(try device.replica.outboxChanges().map(\.dot))
            let acknowledged = ledger.filter { !rejected.contains($0.key) && !pending.contains($0.key) }
            result.acknowledgedWrites += acknowledged.count
            // A restore loses nothing: what the old server acknowledged is acknowledged again, never refused.
            for dot in acknowledgedBeforeRestore[device.deviceID] ?? [] where rejected.contains(dot) || pending.contains(dot) {
                result.fail("\(device.deviceID): \(dot), acknowledged before the restore, is \(rejected.contains(dot) ? "refused" : "unsent") after it")
            }
            result.acknowledgedBeforeRestore += acknowledgedBeforeRestore[device.deviceID]?.count ?? 0
            result.rejectedWrites += rejected.count

            // No acknowledged write lost: the server's record has seen every one.
            for (dot, key) in acknowledged {
                guard let verifier = verifiers[key.scope.township], let state = try verifier.record(key.collection, key.id) else {
                    result.fail("\(device.deviceID): acknowledged \(dot) of \(key.collection.name) \(key.id) is missing on the server"); continue
                }
                if !state.version.covers(dot) { result.fail("\(device.deviceID): acknowledged \(dot) is not in the server's \(key.collection.name) \(key.id)") }
            }
            // Each applied once: the audit log holds every acknowledged dot exactly once.
            let audit = try await admins[0].auditLog(replica: device.replica.identity.replica.description, limit: 100_000)
            let counts = audit.reduce(into: [String: Int]()) { $0[$1.dot, default: 0] += 1 }
            for (dot, n) in counts where n > 1 { result.fail("\(device.deviceID): \(dot) was applied \(n) times") }
            for dot in acknowledged.keys where counts[dot.description] == nil { result.fail("\(device.deviceID): \(dot) is acknowledged but not in the audit log") }
            result.auditedWrites += counts.count

            // Every replica equal to the server's view of its scope, and nothing outside it.
            let worker = try assignments[device.worker.id.rawValue]?.worker() ?? device.worker
            let jurisdiction = Jurisdiction(worker)
            for village in try device.replica.villages() where !stranded {
                guard jurisdiction.canSee(village) else { result.fail("\(device.deviceID) holds village \(village), outside \(jurisdiction.assignment.summary)"); continue }
                guard let verifier = verifiers[village.township] else { continue }
                if try device.replica.digest(of: village) != verifier.digest(of: village) {
                    result.fail("\(device.deviceID): village \(village) differs from the server's")
                }
                result.villagesCompared += 1
            }
        }
        try await EvidenceVerification(devices: devices, http: http).verify(&result)
        return result
    }

    /// A read-only device per township, enrolled now and bootstrapped: the server's view.
    func enrolVerifiers() async throws -> [TownshipCode: Replica] {
        var replicas = SeededGenerator(seed: seed, stream: 0x7E)
        var out: [TownshipCode: Replica] = [:]
        for township in plan.townships {
            let worker = Setup.verifier(township)
            let code = try await admins[0].issueCode(worker: worker.id.rawValue)
            let result = try await LoadRun.retryingRateLimits {
                try await DeviceEnrolment.enrol(server: servers[0], code: code.code, replica: ReplicaID(using: &replicas), deviceName: "client-sim verifier", client: http)
            }
            let replica = try result.openReplica(at: "\(directory)/devices/verify-\(township)-\(result.identity.deviceID).sqlite", wallClock: LoadClock.now)
            let report = await SyncClient(replica: replica, transport: FleetHTTPClient.transport(servers[0], token: result.token, client: http), pageLimit: 2_000,
                                          sleep: { try? await Task.sleep(for: .milliseconds($0)) }, jitter: { 0.5 }, now: LoadClock.now).sync()
            guard report.succeeded else { throw LoadError(.verification, "the verifier of township \(township) could not pull the server's view: \(report.outcome)") }
            out[township] = replica
        }
        return out
    }
}

/// What the verification found.
public struct VerificationResult: Sendable, Codable {
    public var failures: [String] = []
    public var failureCount = 0
    public var acknowledgedWrites = 0
    public var rejectedWrites = 0
    public var auditedWrites = 0
    /// Changes devices had acknowledged before a restore drill's restore (0 without one).
    public var acknowledgedBeforeRestore = 0
    public var villagesCompared = 0
    /// Devices left out of signal on purpose, and the changes they still hold.
    public var strandedDevices: [String] = []
    public var strandedChanges = 0
    /// Photos devices let go that the server serves byte for byte.
    public var photosVerified = 0
    /// Photos still on phones at the end, by device: listed, not failures.
    public var photosOnPhones: [String: Int] = [:]

    public var passed: Bool { failureCount == 0 }

    mutating func fail(_ message: String) {
        failureCount += 1
        if failures.count < 50 { failures.append(message) }
    }
}
