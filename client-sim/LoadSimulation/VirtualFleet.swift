import AsyncHTTPClient
import FieldModel
import Foundation
import ServerHTTP
import SyncClientHTTP
import SyncCore
import SyntheticData
import Synchronization

/// A load generator of protocol-level devices (`VirtualDevice`) against one server: the same
/// villages, workers and enrolments as a client-sim run (`LoadPlan`, `Setup`), then phases of
/// exchanges measured by the generator itself, and a verification of what the server
/// acknowledged and served.
///
///     let fleet = try await VirtualFleet.enrol(devices: 1_000, server: url, adminToken: token)
///     _ = await fleet.bootstrap()                                   // every device pulls its scope
///     let steady = await fleet.openLoop(rate: 200, for: .seconds(20))   // 200 exchanges/s, latency from the schedule
///     let verified = try await fleet.verify()
///
/// Closed loop: every device syncs again as soon as its answer arrives. Open loop: exchanges
/// start at a fixed rate whatever the answers do, each on a device not already in an exchange,
/// and latency counts from when it was due to start, so a slow server cannot hide its queue.
public final class VirtualFleet: Sendable {
    public let server: URL
    let devices: [VirtualDevice]
    let admin: APIClient
    let client: HTTPClient
    /// The devices' connections to a plain-`http` server (nil for `https`: `client`).
    let connections: FleetConnections?
    /// Scenario writes of a village assistant per exchange once its scope is pulled.
    public let writesPerExchange: Int

    init(server: URL, devices: [VirtualDevice], admin: APIClient, client: HTTPClient, connections: FleetConnections?, writesPerExchange: Int) {
        self.server = server
        self.devices = devices
        self.admin = admin
        self.client = client
        self.connections = connections
        self.writesPerExchange = writesPerExchange
    }

    public var count: Int { devices.count }

    /// Puts the plan's roster and workers on the server and enrols `devices` devices, 16 at a time.
    public static func enrol(devices count: Int, server: URL, adminToken: String, seed: UInt64 = 1, writesPerExchange: Int = 2,
                             progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> VirtualFleet {
        let scenario = Scenario.builtIn.first { $0.name == "review-season" }!
        let plan = try LoadPlan(devices: count, scenario: scenario, seed: seed)
        let admin = APIClient(server: server, token: adminToken)
        try await Setup(plan: plan, admin: admin, progress: progress).prepare()
        var replicas = SeededGenerator(seed: seed, stream: 0x5EED)
        let specs = plan.devices.enumerated().map { ($0.offset, $0.element, ReplicaID(using: &replicas)) }
        let client = FleetHTTPClient.shared
        let connections = FleetConnections(url: server)
        let devices = try await bounded(specs, limit: 16) { index, spec, replica in
            let code = try await admin.issueCode(worker: spec.worker.id.rawValue)
            let result = try await LoadRun.retryingRateLimits {
                try await DeviceEnrolment.enrol(server: server, code: code.code, replica: replica, deviceName: "virtual \(index)")
            }
            return VirtualDevice(enrolment: result, server: server, client: client, connections: connections, slot: spec.slot, devicesPerVillage: spec.devicesPerVillage,
                                 seed: seed &* 1_000_003 &+ UInt64(index))
        }
        progress("enrolled \(devices.count) virtual devices")
        return VirtualFleet(server: server, devices: devices, admin: admin, client: client, connections: connections, writesPerExchange: writesPerExchange)
    }

    /// Every device exchanges until it holds its whole scope, `concurrency` at a time.
    public func bootstrap(concurrency: Int = 64) async -> FleetPhase {
        await measure(name: "bootstrap", target: nil) { record in
            _ = try? await bounded(devices, limit: concurrency) { device in
                while await device.hasMore {
                    let outcome = await record(device) { await device.exchange(writes: 0) }
                    if !outcome.errors.isEmpty { break }
                }
            }
        }
    }

    /// Every device syncs back to back (with writes) for `duration`, at least once each.
    public func closedLoop(for duration: Duration) async -> FleetPhase {
        let end = ContinuousClock.now + duration
        let writes = writesPerExchange
        return await measure(name: "closed loop, \(devices.count) devices", target: nil) { record in
            await withDiscardingTaskGroup { group in
                for device in devices {
                    group.addTask {
                        repeat { _ = await record(device) { await device.exchange(writes: writes) } } while ContinuousClock.now < end
                    }
                }
            }
        }
    }

    /// Exchanges started at `rate` per second for `duration`, each on the next device not in an
    /// exchange (round robin), latency counted from the instant each was due.
    public func openLoop(rate: Double, for duration: Duration) async -> FleetPhase {
        let writes = writesPerExchange
        let busy = BusySet(count: devices.count)
        return await schedule(name: "open loop, \(devices.count) devices", rate: rate, duration: duration) { due, record in
            guard let index = busy.claim() else {
                record.failure(due: due, "all \(self.devices.count) devices were in an exchange")
                return
            }
            let device = self.devices[index]
            _ = await record.exchange(device, due: due) { await device.exchange(writes: writes) }
            busy.release(index)
        }
    }

    /// The same schedule against `GET /healthz`, over the same connections as the devices' exchanges:
    /// what the HTTP stack alone carries (the ceiling).
    public func healthCeiling(rate: Double, for duration: Duration) async -> FleetPhase {
        let url = server.appendingPathComponent("healthz").absoluteString
        let client = client, connections = connections
        return await schedule(name: "GET /healthz", rate: rate, duration: duration) { due, record in
            var outcome = VirtualDevice.Outcome()
            do {
                let status: Int
                if let connections {
                    status = try await connections.send(.GET, "/healthz", headers: [], maxResponseBytes: 1 << 16).status
                } else {
                    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 1 << 16)
                    status = Int(response.status.code)
                }
                if status != 200 { outcome.errors.append("GET /healthz: \(status)") }
            } catch {
                outcome.errors.append("GET /healthz: \(error)")
            }
            record.finish(outcome, due: due)
        }
    }

    /// Open-loop steps at rising rates (×`factor`), `step` each, until one misses p99 < `budget`
    /// or has an error: the highest rate held and every step.
    public func capacity(start: Double, factor: Double = 1.4, step: Duration, budget: Double = 1_000, maxSteps: Int = 12,
                         phase: @escaping @Sendable (Double, Duration) async -> FleetPhase) async -> FleetCapacity {
        var steps: [FleetPhase] = []
        var rate = start
        for _ in 0..<maxSteps {
            let p = await phase(rate, step)
            steps.append(p)
            guard p.latencyMilliseconds.p99 < budget, p.errors == 0, p.achievedRate >= 0.95 * rate else { break }
            rate *= factor
        }
        return FleetCapacity(budgetMilliseconds: budget, steps: steps)
    }

    // MARK: Measuring

    private func measure(name: String, target: Double?, _ body: (ExchangeRecorder) async -> Void) async -> FleetPhase {
        let recorder = ExchangeRecorder()
        let cpu = ProcessStatus.cpuSeconds() ?? 0
        let started = ContinuousClock.now
        await body(recorder)
        return recorder.phase(name: name, target: target, seconds: (ContinuousClock.now - started).seconds,
                              generatorCPUSeconds: (ProcessStatus.cpuSeconds() ?? 0) - cpu)
    }

    private func schedule(name: String, rate: Double, duration: Duration,
                          _ body: @escaping @Sendable (ContinuousClock.Instant, ExchangeRecorder) async -> Void) async -> FleetPhase {
        await measure(name: name, target: rate) { recorder in
            let interval = Duration.seconds(1 / rate)
            let start = ContinuousClock.now
            let total = Int((duration.seconds * rate).rounded())
            await withDiscardingTaskGroup { group in
                for i in 0..<total {
                    let due = start + interval * i
                    try? await Task.sleep(until: due, clock: .continuous)
                    group.addTask { await body(due, recorder) }
                }
            }
        }
    }
}

/// Which devices are in an exchange, and the round-robin hand that picks the next free one.
final class BusySet: Sendable {
    private let state: Mutex<(busy: [Bool], hand: Int)>

    init(count: Int) { state = Mutex((Array(repeating: false, count: count), 0)) }

    func claim() -> Int? {
        state.withLock { s in
            for step in 0..<s.busy.count {
                let i = (s.hand + step) % s.busy.count
                if !s.busy[i] {
                    s.busy[i] = true
                    s.hand = (i + 1) % s.busy.count
                    return i
                }
            }
            return nil
        }
    }

    func release(_ index: Int) { state.withLock { $0.busy[index] = false } }
}

/// What the server acknowledged and served, checked against the server itself.
public struct FleetVerification: Sendable, Codable {
    /// Dots the server acknowledged to the devices, and how many of them its audit log holds.
    public var acknowledged = 0
    public var audited = 0
    /// Village digests the server sent with a last page, each compared with what the device held.
    public var digestsCompared = 0
    public var failures: [String] = []
    public var passed: Bool { failures.isEmpty }

    mutating func fail(_ message: String) {
        if failures.count < 50 { failures.append(message) }
    }
}

extension VirtualFleet {
    /// Syncs every device (no new writes) until its outbox is empty and its scope pulled, each
    /// last page's digests compared with what the device holds; then asks the audit log for
    /// every device's dots: each acknowledged dot there exactly once, no dot twice.
    public func verify(concurrency: Int = 32) async throws -> FleetVerification {
        let checked = try await bounded(devices, limit: concurrency) { device -> FleetVerification in
            var v = FleetVerification()
            var rounds = 0
            var settled = false
            while rounds < 50 && !settled {
                let outcome = await device.exchange(writes: 0)
                for e in outcome.errors { v.fail(e) }
                v.digestsCompared += outcome.digestsCompared
                rounds += 1
                let more = await device.hasMore
                let pending = await device.pending
                settled = !more && pending == 0
            }
            if !settled { v.fail("\(device.deviceID) did not settle in 50 exchanges: its scope or outbox kept changing") }
            let acknowledged = await device.acknowledged
            v.acknowledged = acknowledged.count
            let audit = try await self.admin.auditLog(replica: device.replica.description, limit: 100_000)
            let counts = audit.reduce(into: [String: Int]()) { $0[$1.dot, default: 0] += 1 }
            for (dot, n) in counts where n > 1 { v.fail("\(device.deviceID): \(dot) is in the audit log \(n) times") }
            for counter in acknowledged where counts[Dot(device.replica, counter).description] == nil {
                v.fail("\(device.deviceID): \(Dot(device.replica, counter)) was acknowledged but is not in the audit log")
            }
            v.audited = acknowledged.filter { counts[Dot(device.replica, $0).description] == 1 }.count
            return v
        }
        var total = FleetVerification()
        for v in checked {
            total.acknowledged += v.acknowledged
            total.audited += v.audited
            total.digestsCompared += v.digestsCompared
            for f in v.failures { total.fail(f) }
        }
        return total
    }
}
