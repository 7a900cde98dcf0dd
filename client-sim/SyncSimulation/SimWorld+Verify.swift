import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncCore

extension SimWorld {
    /// Checks the guarantees after healing:
    /// - no loss: every committed local write is on the server or visibly rejected on its device;
    /// - exactly once: no dot is applied twice;
    /// - convergence: each device's scope equals the server's, by digest and row by row;
    /// - no resurrection: an acknowledged delete stands unless a write concurrent with it (kept
    ///   and flagged) or a later write that saw it decided otherwise;
    /// - scope: no device holds a record outside its worker's current scope.
    func verify(healed: Bool) async throws -> [Violation] {
        var violations: [Violation] = []
        if !healed { violations.append(Violation(.liveness, "a device's sync still failed in the third round after healing")) }
        let store = server.current.store
        let audit = try await store.auditEntries(limit: Int.max)
        var appliedCount: [Dot: Int] = [:]
        for entry in audit { appliedCount[entry.dot, default: 0] += 1 }
        for (dot, n) in appliedCount where n > 1 { violations.append(Violation(.exactlyOnce, "dot \(dot) applied \(n) times")) }
        let allWrites = devices.flatMap(\.ledger)

        for device in devices {
            let summary = try device.replica.outboxSummary()
            let rejected = Set(summary.rejected.map(\.change.dot))
            for r in summary.rejected { stats.rejectionReasons[r.reason, default: 0] += 1 }
            if summary.pending + summary.acknowledgedAwaitingPull > 0 {
                violations.append(Violation(.loss, "\(device.deviceID) still holds \(summary.pending) unacknowledged and \(summary.acknowledgedAwaitingPull) unconfirmed changes"))
            }
            for change in device.ledger where appliedCount[change.dot] == nil && !rejected.contains(change.dot) {
                violations.append(Violation(.loss, "\(device.deviceID) committed \(change) but the server never applied it and the device shows no rejection"))
            }
            guard let context = registry.context(device.deviceID) else { continue }
            let scope = try await store.villages(coveredBy: context.worker.assignment)
            let held = try device.replica.villages()
            for v in held where !scope.contains(v) {
                let rows = try device.replica.viewStates(in: v)
                if !rows.isEmpty { violations.append(Violation(.scope, "\(device.deviceID) holds \(rows.count) records of village \(v), outside its scope")) }
            }
            for v in scope { violations += try await compare(device, village: v, store: store) }
        }

        for (device, change) in devices.flatMap({ d in d.ledger.map { (d.deviceID, $0) } }) where change.operation == .delete && appliedCount[change.dot] != nil {
            guard let state = try await store.record(change.record), !state.isDeleted, !state.hasDeleteConflict else { continue }
            let decidedLater = allWrites.contains { $0.record == change.record && $0.context.covers(change.dot) }
            if !decidedLater {
                violations.append(Violation(.resurrection, "\(change.record) deleted by \(device)'s \(change.dot) is alive with no concurrent or later write"))
            }
        }
        return violations
    }

    /// One village on one device against the server: digest, then every live record.
    func compare(_ device: SimDevice, village: VillageCode, store: any SyncStore) async throws -> [Violation] {
        let page = try await store.pull([village: 0], limit: 1_000_000)
        let server = page.records.filter { !$0.isDeleted }.sorted { $0.key < $1.key }
        let confirmed = try device.replica.confirmedStates(in: village).filter { !$0.isDeleted }.sorted { $0.key < $1.key }
        let view = try device.replica.viewStates(in: village).filter { !$0.isDeleted }.sorted { $0.key < $1.key }
        var out: [Violation] = []
        if let serverDigest = page.digests[village], try device.replica.digest(of: village) != serverDigest {
            out.append(Violation(.convergence, "\(device.deviceID) village \(village): digest \(try device.replica.digest(of: village)) ≠ server \(serverDigest)"))
        }
        if confirmed.count != server.count || zip(confirmed, server).contains(where: { !$0.isObservablyEqual(to: $1) }) {
            let differing = zip(confirmed, server).first { !$0.isObservablyEqual(to: $1) }.map { "first differing \($0.0.key)" } ?? ""
            out.append(Violation(.convergence, "\(device.deviceID) village \(village): \(confirmed.count) confirmed records vs \(server.count) on the server \(differing)"))
        }
        if view.count != confirmed.count || zip(view, confirmed).contains(where: { !$0.isObservablyEqual(to: $1) }) {
            out.append(Violation(.convergence, "\(device.deviceID) village \(village): the worker's view differs from the confirmed state after healing"))
        }
        return out
    }
}

/// Counts of what a run did, for the report and for tuning seeds.
public struct SimulationStats: Sendable, Hashable, CustomStringConvertible {
    public var edits = 0, refusedEdits = 0, syncs = 0, failedSyncs = 0, rejections = 0, repairs = 0, rebootstraps = 0
    public var crashes = 0, serverRestarts = 0, partitions = 0, reassignments = 0, healRounds = 0
    public var exchanges = 0, lostRequests = 0, lostResponses = 0, duplicates = 0
    /// Rejections still shown on devices at the end, by reason.
    public var rejectionReasons: [String: Int] = [:]

    /// Faults the run injected: lost, duplicated or replayed messages, crashes, restarts, partitions.
    public var faults: Int { lostRequests + lostResponses + duplicates + crashes + serverRestarts + partitions }

    public var description: String {
        "edits \(edits) (refused \(refusedEdits)), syncs \(syncs) (failed \(failedSyncs)), exchanges \(exchanges), lost \(lostRequests)/\(lostResponses), dup \(duplicates), rejections \(rejections), repairs \(repairs), rebootstraps \(rebootstraps), crashes \(crashes), restarts \(serverRestarts), partitions \(partitions), reassignments \(reassignments), rejected by reason \(rejectionReasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
    }
}

/// One seed's outcome. A failing seed prints itself and replays identically.
public struct SimulationResult: Sendable, CustomStringConvertible {
    public let seed: UInt64
    public let config: SimulationConfig
    public let violations: [Violation]
    public let stats: SimulationStats
    /// Every record the server holds at the end, in key order.
    public let serverRecords: [RecordState]

    public var passed: Bool { violations.isEmpty }

    public var description: String {
        let head = "seed \(seed) [\(config)]: \(passed ? "ok" : "\(violations.count) violations") — \(stats)"
        return ([head] + violations.prefix(10).map { "  \($0)" }).joined(separator: "\n")
    }
}

extension SimWorld {
    /// Runs one seed in a fresh directory under `parent` (removed afterwards unless it failed).
    public static func runSeed(_ seed: UInt64, config: SimulationConfig? = nil, parent: String,
                               transport: SimTransport = .inProcess) async throws -> SimulationResult {
        let dir = "\(parent)/seed-\(seed)"
        try? FileManager.default.removeItem(atPath: dir)
        let world = try await SimWorld(seed: seed, config: config ?? .draw(seed: seed), directory: dir, transport: transport)
        let result = try await world.run()
        if result.passed { try? FileManager.default.removeItem(atPath: dir) }
        return result
    }

    /// A scratch directory on a memory file system when there is one (fsync is then free).
    public static func scratchDirectory() -> String {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(base)/doorstep-sim-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
