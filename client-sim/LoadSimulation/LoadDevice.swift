import AsyncHTTPClient
import FieldModel
import Foundation
import Replica
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyntheticData
import Synchronization

/// One simulated field device: a real `Replica` on its own SQLite file, enrolled with a real
/// token, syncing through a modelled network. It keeps a ledger of the writes it committed, so
/// the verification can ask the server about every one of them.
actor LoadDevice {
    let index: Int
    let deviceID: String
    let worker: Worker
    let replica: Replica
    let profile: NetworkProfile
    let token: String
    /// The servers sharing one database; each sync starts at the next one, and an exchange
    /// whose server is down moves on to the following one.
    let servers: [URL]
    /// The client of every request this device makes (one per run: it may trust a private CA).
    let http: HTTPClient
    /// The server of the latest exchange: where the device's API calls (a reviewer's) go.
    private(set) var server: URL
    /// Servers this device found down lately, skipped for a while by its next syncs.
    let availability = ServerAvailability(downMilliseconds: 600_000, now: LoadClock.now)
    /// Devices sharing this device's village, and this one's place among them: they split the
    /// village's households.
    let devicesPerVillage: Int
    let slot: Int
    var generator: SeededGenerator
    /// Every local write: its dot and record.
    private(set) var ledger: [Dot: RecordKey] = [:]
    private(set) var stats = DeviceStats()
    /// The photos it took and how their uploads went.
    var evidence = EvidenceStats()
    /// Modelled time spent on each photo's upload, across rounds.
    let uploadClock = UploadClock()
    /// Days this device is out of signal (besides chance).
    var offlineDays = Set<Int>()
    /// Out of signal for good after its last, partial sync (see `Scenario.strandedShare`).
    var stranded = false
    func strand() { stranded = true }

    init(index: Int, enrolment: DeviceEnrolment.Result, servers: [URL], http: HTTPClient = FleetHTTPClient.shared, path: String,
         profile: NetworkProfile, devicesPerVillage: Int, slot: Int, seed: UInt64) throws {
        self.index = index
        self.devicesPerVillage = devicesPerVillage
        self.slot = slot
        deviceID = enrolment.identity.deviceID
        worker = enrolment.identity.worker
        token = enrolment.token
        self.servers = servers
        self.http = http
        server = servers[index % servers.count]
        self.profile = profile
        generator = SeededGenerator(seed: seed)
        replica = try enrolment.openReplica(at: path, wallClock: LoadClock.now)
    }

    func setOffline(_ days: Set<Int>) { offlineDays = days }

    func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }

    /// One sync through the modelled network; its latency and figures go into the device's stats.
    @discardableResult
    /// With `signalFor`, the device goes out of signal after that many exchanges.
    func sync(cutChance: Double, timeScale: Double, lossless: Bool = false, batchLimit: Int = 200, signalFor exchanges: Int? = nil) async -> SyncReport {
        let seed = generator.next()
        let random = LockedRandom(seed: seed)
        let network = lossless ? profile.lossless : profile
        let failover = FailoverTransport(servers.map { FleetHTTPClient.transport($0, token: token, client: http) }, start: index + stats.syncs,
                                         availability: availability)
        let link = ModelledLink(profile: network, cutChance: lossless ? 0 : cutChance, timeScale: timeScale, random: { random.next() })
        let transport = ModelledTransport(inner: exchanges.map { LastExchanges(inner: failover, left: $0) } ?? failover, link: link)
        let client = SyncClient(replica: replica, transport: transport, batchLimit: batchLimit, pageLimit: 500,
                                sleep: { ms in if exchanges == nil { try? await Task.sleep(for: .milliseconds(min(ms, 2_000))) } },
                                jitter: { random.next() }, now: LoadClock.now)
        let started = ContinuousClock.now
        let report = await client.sync()
        let elapsed = ContinuousClock.now - started
        stats.record(report, milliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        stats.failovers += failover.failovers
        server = servers[failover.current]
        return report
    }

    /// Runs `body` with the device's API client on its latest server, moving on to the next
    /// server while one does not answer (a refusal with a status below 500 is an answer), as a
    /// person would try again: up to four rounds over the servers, a second apart and longer. One
    /// server behind a proxy is no exception: an instance that dies under a request cuts it.
    func withAPI<T: Sendable>(_ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        let start = servers.firstIndex(of: server) ?? 0
        var lastError: (any Error)?
        for round in 0..<4 {
            if round > 0 { try await Task.sleep(for: .milliseconds(500 << round)) }
            for offset in 0..<servers.count {
                let candidate = servers[(start + offset) % servers.count]
                do {
                    let result = try await body(APIClient(server: candidate, token: token, client: http))
                    server = candidate
                    return result
                } catch let failure as APIClient.Failure where failure.status < 500 {
                    throw failure
                } catch {
                    lastError = error
                }
            }
        }
        throw lastError!
    }

    /// Commits `changes` to the ledger.
    func note(_ changes: [Change]) { for c in changes { ledger[c.dot] = c.record } }
    func note(_ change: Change) { ledger[change.dot] = change.record }
    func countRefusedWrite() { stats.refusedWrites += 1 }

    /// The rejections this device holds, by reason.
    func rejectionsByReason() throws -> [String: Int] {
        try replica.outboxSummary().rejected.reduce(into: [:]) { $0[$1.reason, default: 0] += 1 }
    }

    func close() { try? replica.close() }
}

/// Figures of one device's syncs.
struct DeviceStats: Sendable {
    var syncs = 0
    var failedSyncs = 0
    var pushed = 0
    var acked = 0
    var pulled = 0
    var bytesUp = 0
    var bytesDown = 0
    var refusedWrites = 0
    /// Exchanges that found their server down and went on to another.
    var failovers = 0
    var latencies = LatencyHistogram()
    var failures: [String: Int] = [:]
    var warnings = Set<String>()

    mutating func record(_ report: SyncReport, milliseconds: Double) {
        syncs += 1
        pushed += report.pushed
        acked += report.acked
        pulled += report.pulled
        bytesUp += report.bytesUp
        bytesDown += report.bytesDown
        for w in report.warnings { warnings.insert(w.code) }
        if case .failure(let code, _) = report.outcome {
            failedSyncs += 1
            failures[code, default: 0] += 1
        } else {
            latencies.record(milliseconds: milliseconds)
        }
    }
}

/// The run's wall clock for replicas, ms since the epoch.
enum LoadClock {
    static let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    static var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now()) }
}

/// A seeded generator shared by a transport's closures.
final class LockedRandom: Sendable {
    private let state: Mutex<SeededGenerator>
    init(seed: UInt64) { state = Mutex(SeededGenerator(seed: seed)) }
    func next() -> Double { state.withLock { Double.random(in: 0..<1, using: &$0) } }
}

/// A connection that carries `left` more exchanges, then is out of signal.
final class LastExchanges: Transport {
    let inner: any Transport
    private let left: Mutex<Int>

    init(inner: any Transport, left: Int) {
        self.inner = inner
        self.left = Mutex(left)
    }

    func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8] {
        let allowed = left.withLock { n -> Bool in
            defer { n -= 1 }
            return n > 0
        }
        guard allowed else { throw .unreachable("out of signal") }
        return try await inner.exchange(request)
    }
}
