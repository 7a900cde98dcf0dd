import AsyncHTTPClient
import FieldModel
import Foundation
import Replica
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerSQLite
import SyncClient
import SyncClientHTTP
import SyncCore
import SyntheticData

/// What a load run is asked to do.
public struct LoadRunConfiguration: Sendable {
    public var devices: Int
    public var scenario: Scenario
    /// Server base URLs; devices are spread over them. Empty: start an embedded server on SQLite.
    public var servers: [URL]
    /// An administrator token of the servers (not needed for the embedded one).
    public var adminToken: String?
    /// Where the devices' replicas (and the embedded server's data) go; created if missing.
    public var directory: String
    public var seed: UInt64
    /// Devices working or syncing at the same moment.
    public var concurrency: Int
    /// Network delays are real time × this (0: none; 1: as the profile says).
    public var timeScale: Double
    /// A PEM file of the CA certificate the servers' certificates chain to (a proxy terminating
    /// TLS with a private CA), trusted besides the system's roots.
    public var caFile: String?
    /// A restore drill to play (a backup during one day, a restore before the heal); nil: none.
    public var drill: RestoreDrill?

    public init(devices: Int, scenario: Scenario, servers: [URL] = [], adminToken: String? = nil, directory: String,
                seed: UInt64 = 1, concurrency: Int = 64, timeScale: Double = 0.05, caFile: String? = nil) {
        self.devices = devices
        self.scenario = scenario
        self.servers = servers
        self.adminToken = adminToken
        self.directory = directory
        self.seed = seed
        self.concurrency = concurrency
        self.timeScale = timeScale
        self.caFile = caFile
    }
}

/// A load run: sets the servers up through their administrator API (roster, workers, codes),
/// enrols N real devices, plays the scenario's days, heals the network, and verifies against
/// the servers that nothing acknowledged was lost or applied twice and every replica matches.
public final class LoadRun: Sendable {
    let configuration: LoadRunConfiguration
    let plan: LoadPlan
    let progress: @Sendable (String) -> Void
    /// Every request of the run goes through it: setup, enrolment, syncs, verification.
    let http: HTTPClient

    public init(_ configuration: LoadRunConfiguration, progress: @escaping @Sendable (String) -> Void) throws {
        try configuration.scenario.check()
        http = try FleetHTTPClient.client(trustingCAFile: configuration.caFile)
        guard configuration.concurrency >= 1 else { throw LoadError(.invalidRun, "concurrency must be at least 1") }
        self.configuration = configuration
        self.progress = progress
        plan = try LoadPlan(devices: configuration.devices, scenario: configuration.scenario, seed: configuration.seed)
    }

    public func run() async throws -> LoadReport {
        try FileManager.default.createDirectory(atPath: configuration.directory + "/devices", withIntermediateDirectories: true)
        let embedded = configuration.servers.isEmpty ? try await EmbeddedServer.start(in: configuration.directory + "/server", timeScale: configuration.timeScale) : nil
        do {
            let report = try await play(servers: embedded.map { [$0.running.url] } ?? configuration.servers,
                                        adminToken: embedded?.adminToken ?? configuration.adminToken)
            await embedded?.stop()
            return report
        } catch {
            await embedded?.stop()
            throw error
        }
    }

    func play(servers: [URL], adminToken: String?) async throws -> LoadReport {
        guard let adminToken else { throw LoadError(.invalidRun, "an administrator token is needed for the servers (--admin-token or --admin-token-file)") }
        let admins = servers.map { APIClient(server: $0, token: adminToken, client: http) }
        let started = ContinuousClock.now
        try await Setup(plan: plan, admin: admins[0], progress: progress).prepare()
        let devices = try await enrol(servers: servers, admin: admins[0])
        progress("enrolled \(devices.count) devices on \(servers.count) server(s); bootstrapping")
        let scenarioStart = ContinuousClock.now
        var tally = ConflictTally()
        try await Days(configuration: configuration, plan: plan, devices: devices, admins: admins, progress: progress).play(&tally)
        let scenarioSeconds = (ContinuousClock.now - scenarioStart).seconds
        var acknowledgedBeforeRestore: [String: Set<Dot>] = [:]
        if let drill = configuration.drill {
            for device in devices { acknowledgedBeforeRestore[device.deviceID] = try await device.acknowledgedDots() }
            progress("restore drill: the server is restored from the backup of day \(drill.backupDay + 1)")
            try await drill.restore()
        }
        progress("healing the network: every device syncs until its outbox is empty")
        let healStart = ContinuousClock.now
        let healRounds = try await heal(devices, admins: admins, tally: &tally)
        let convergenceSeconds = (ContinuousClock.now - healStart).seconds
        progress("verifying against the server")
        let verification = try await LoadVerification(plan: plan, devices: devices, servers: servers, admins: admins,
                                                      directory: configuration.directory, seed: configuration.seed, http: http,
                                                      acknowledgedBeforeRestore: acknowledgedBeforeRestore).verify()
        let evidence = configuration.scenario.photosPerVisit == nil ? nil : await EvidenceReport(devices: devices, server: servers[0], http: http)
        let report = await LoadReport(configuration: configuration, devices: devices, tally: tally, scenarioSeconds: scenarioSeconds,
                                      convergenceSeconds: convergenceSeconds, healRounds: healRounds,
                                      totalSeconds: (ContinuousClock.now - started).seconds, verification: verification, evidence: evidence)
        for d in devices { await d.close() }
        return report
    }

    /// Issues a code for every device's worker and enrols it on its server, a few at a time.
    func enrol(servers: [URL], admin: APIClient) async throws -> [LoadDevice] {
        var replicas = SeededGenerator(seed: configuration.seed, stream: 0xE)
        let specs = plan.devices.enumerated().map { ($0.offset, $0.element, ReplicaID(using: &replicas)) }
        var profiles = SeededGenerator(seed: configuration.seed, stream: 0xF)
        let shares = configuration.scenario.networks.sorted { $0.key < $1.key }
        let total = shares.map(\.value).reduce(0, +)
        let chosen = specs.map { _ -> NetworkProfile in
            var r = Double.random(in: 0..<total, using: &profiles)
            for (name, share) in shares { if r < share { return NetworkProfile.named[name]! }; r -= share }
            return NetworkProfile.named[shares.last!.key]!
        }
        return try await bounded(specs, limit: 16) { index, spec, replica in
            let server = servers[index % servers.count]
            let code = try await admin.issueCode(worker: spec.worker.id.rawValue)
            let result = try await Self.retryingRateLimits { try await DeviceEnrolment.enrol(server: server, code: code.code, replica: replica,
                                                                                           deviceName: "client-sim \(index)", client: self.http) }
            return try LoadDevice(index: index, enrolment: result, servers: servers, http: self.http, path: "\(self.configuration.directory)/devices/\(result.identity.deviceID).sqlite",
                                  profile: chosen[index], devicesPerVillage: spec.devicesPerVillage, slot: spec.slot,
                                  seed: self.configuration.seed &* 1_000_003 &+ UInt64(index))
        }
    }

    /// Syncs every device without faults, and uploads its photos, until a quiet round: all
    /// succeed, none had anything to push, no outbox holds anything, no photo waits for upload
    /// (at most 8 rounds; reviewers resolve what conflicts remain between rounds). Returns the
    /// rounds used.
    func heal(_ all: [LoadDevice], admins: [APIClient], tally: inout ConflictTally) async throws -> Int {
        var devices: [LoadDevice] = []
        for d in all where await !d.stranded { devices.append(d) }
        for round in 1...8 {
            let clean = try await bounded(devices, limit: configuration.concurrency) { device in
                let report = await device.sync(cutChance: 0, timeScale: 0, lossless: true)
                await device.uploadEvidence(cutChance: 0, timeScale: 0, lossless: true)
                let pending = (try? await device.replica.outboxSummary().pending) ?? 1
                let photos = (try? await device.photosOnPhone().count(where: \.uploadable)) ?? 1
                return report.succeeded && report.pushed == 0 && pending == 0 && photos == 0
            }.allSatisfy { $0 }
            let resolved = try await ConflictTally.resolveAll(all, admins: admins, tally: &tally)
            if clean && resolved == 0 { return round }
        }
        return 8
    }

    /// Retries an enrolment the server rate-limited, after the wait it asked for.
    static func retryingRateLimits<T>(_ body: () async throws -> T) async throws -> T {
        for _ in 0..<50 {
            do { return try await body() } catch let error as TransportError {
                guard case .rateLimited(let seconds) = error.kind else { throw error }
                try await Task.sleep(for: .seconds(seconds))
            }
        }
        return try await body()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Runs `body` over `items` with at most `limit` at once; results in the items' order.
func bounded<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        func add() {
            guard next < items.count else { return }
            let i = next
            let item = items[i]
            group.addTask { (i, try await body(item)) }
            next += 1
        }
        for _ in 0..<min(limit, items.count) { add() }
        while let (i, r) = try await group.next() {
            results[i] = r
            add()
        }
        return results.map { $0! }
    }
}

func bounded<A: Sendable, B: Sendable, C: Sendable, R: Sendable>(_ items: [(A, B, C)], limit: Int,
                                                                 _ body: @escaping @Sendable (A, B, C) async throws -> R) async throws -> [R] {
    try await bounded(items.map { Triple(a: $0.0, b: $0.1, c: $0.2) }, limit: limit) { try await body($0.a, $0.b, $0.c) }
}

struct Triple<A: Sendable, B: Sendable, C: Sendable>: Sendable {
    let a: A
    let b: B
    let c: C
}
