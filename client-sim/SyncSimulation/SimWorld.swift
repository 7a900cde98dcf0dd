import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncClient
import SyncCore
import Synchronization
import SyntheticData

/// A whole simulated deployment: one server engine and N devices in one process, on a
/// simulated clock and network, driven by a seed. `run()` plays the steps, heals the network,
/// syncs until quiet and checks the guarantees.
public actor SimWorld {
    public let seed: UInt64
    public let config: SimulationConfig
    let directory: String
    let clock: SimClock
    let random: SimRandom
    let server: SimServer
    let registry: Registry
    let endpoint: any SimEndpoint
    let network: SimNetwork
    var devices: [SimDevice] = []
    let villages: [VillageCode]
    let county: CountyCode
    /// A family of each village that field workers enter anew as applications.
    let applicants: [VillageCode: Household]
    var stats = SimulationStats()

    /// The server's worker records: what each device's token resolves to.
    final class Registry: Sendable {
        let contexts = Mutex<[String: DeviceContext]>([:])
        func context(_ deviceID: String) -> DeviceContext? { contexts.withLock { $0[deviceID] } }
        func set(_ context: DeviceContext) { contexts.withLock { $0[context.deviceID] = context } }
    }

    /// 09:00 in Yuncheng on the day after the synthetic data's reference date.
    static let start: Int64 = Int64(DatasetSpec.defaultAsOf.adding(days: 1).daysSinceEpoch) * 86_400_000 + 3_600_000
    public static let serverReplica = ReplicaID(0x5E00_0000_0000_0001)

    public init(seed: UInt64, config: SimulationConfig, directory: String, transport: SimTransport = .inProcess) async throws {
        self.seed = seed
        self.config = config
        self.directory = directory
        clock = SimClock(start: SimWorld.start)
        random = SimRandom(seed: seed)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var engineConfig = SyncEngine.Configuration(serverReplica: SimWorld.serverReplica)
        engineConfig.tombstoneHorizonMilliseconds = 2 * 86_400_000
        server = try SimServer(path: directory + "/server.sqlite", configuration: engineConfig)
        let registry = Registry()
        self.registry = registry
        endpoint = switch transport {
        case .inProcess: InProcessEndpoint(server: server, clock: clock)
        case .http: try await SimHTTPEndpoint(server: server, clock: clock)
        }
        network = SimNetwork(config: config, random: random, clock: clock, endpoint: endpoint)

        let dataset = DatasetGenerator.generate(DatasetSpec(seed: seed, size: .households(330)))
        villages = Array(dataset.villages.map(\.code).prefix(2))
        county = villages[0].county
        let households = villages.flatMap { v in dataset.households.filter { $0.village == v }.prefix(8) }
        applicants = Dictionary(uniqueKeysWithValues: villages.map { v in (v, dataset.households.first { $0.village == v }!) })
        let ids = Set(households.map(\.id))
        var records = households.map(ImportRecord.init) + dataset.members.filter { ids.contains($0.householdID) }.map(ImportRecord.init)

        let reviewer = Worker(id: WorkerID(unchecked: "sim-tr-\(villages[0].township)"), name: "乡镇审核员", role: .townshipReviewer,
                              assignment: Assignment(townships: [villages[0].township]))
        var workers = [reviewer]
        for i in 1..<max(2, config.devices) {
            let village = villages[(i - 1) % villages.count]
            // With four devices or more, the third is the county's confirmer: the whole workflow runs.
            if i == 2 && config.devices >= 4 {
                workers.append(Worker(id: WorkerID(unchecked: "sim-cc-\(villages[0].county)"), name: "县级确认员", role: .countyConfirmer,
                                      assignment: Assignment(counties: [villages[0].county])))
                continue
            }
            workers.append(Worker(id: WorkerID(unchecked: "sim-va-\(village)-\(i)"), name: "协理员", role: .villageAssistant,
                                  assignment: Assignment(villages: [village])))
        }
        // Device 1's worker filed a relative's household: recusal must hold for it.
        let filed = households.first { $0.village == workers[1].assignment.villages.first! }!
        var g = SimRandomGenerator(random)
        records.append(ImportRecord(RelativeFiling(id: RecordID(milliseconds: SimWorld.start, using: &g), village: filed.village,
                                                   staff: workers[1].id, household: filed.id, relation: .sibling,
                                                   filedOn: CalendarDate.chinaStandard(millisecondsSinceEpoch: SimWorld.start))))
        let imported = try await server.current.importRecords(records, by: WorkerID(unchecked: "sim-admin"), now: clock.milliseconds)
        guard imported.rejected.isEmpty else { throw SimulationError(.setup, "import rejected \(imported.rejected.count) records: \(imported.rejected.first!)") }

        for (i, worker) in workers.prefix(config.devices).enumerated() {
            let deviceID = "dev-\(i)"
            let skewDays = i % 3 == 1 ? config.maxSkewDays : (i % 3 == 2 ? -config.maxSkewDays : 0)
            let identity = DeviceIdentity(replica: ReplicaID(0x7F00_0000_0000_0000 | UInt64(i + 1)), worker: worker, deviceID: deviceID)
            try await register(DeviceContext(worker: worker, deviceID: deviceID, replica: identity.replica))
            devices.append(try SimDevice(deviceID: deviceID, identity: identity, path: "\(directory)/\(deviceID).sqlite",
                                         skew: Int64(skewDays) * 86_400_000 + Int64(i) * 137, clock: clock))
        }
    }

    /// Plays the steps, heals, syncs until quiet and checks every guarantee.
    public func run() async throws -> SimulationResult {
        network.setFaults(false)
        for i in devices.indices { _ = await sync(i) }   // enrolment: every device bootstraps once
        network.setFaults(true)
        for n in 0..<config.steps {
            try await step()
            // A seed whose draws injected nothing by halfway gets a server restart: every seed
            // exercises a fault, and the others play exactly as drawn.
            if n == config.steps / 2, faultsSoFar == 0 { try await restartServer() }
        }
        let converged = try await heal()
        let violations = try await verify(healed: converged)
        let records = try await server.current.store.pull(Dictionary(uniqueKeysWithValues: villages.map { ($0, 0) }), limit: 1_000_000).records
        try await endpoint.close()
        try await server.close()
        for d in devices { try? d.replica.close() }
        (stats.exchanges, stats.lostRequests, stats.lostResponses, stats.duplicates) = network.stats
        return SimulationResult(seed: seed, config: config, violations: violations, stats: stats,
                                serverRecords: records.sorted { $0.key < $1.key })
    }

    /// The server's view of a device changes: the registry for the checks, the endpoint for auth.
    func register(_ context: DeviceContext) async throws {
        registry.set(context)
        try await endpoint.register(context)
    }

    /// One sync of device `i`; returns whether it succeeded.
    func sync(_ i: Int) async -> Bool {
        let clock = self.clock
        let random = self.random
        let client = SyncClient(replica: devices[i].replica, transport: network.transport(for: devices[i].deviceID),
                                batchLimit: 50, pageLimit: 40, catchUpPageLimit: 80,
                                sleep: { clock.advance(by: $0) }, jitter: { random.unit() },
                                now: SimDevice.wallClock(clock, devices[i].skew))
        let report = await client.sync()
        stats.syncs += 1
        stats.rejections += report.rejected
        stats.repairs += report.repairs.count
        stats.rebootstraps += report.rebootstraps.count
        if !report.succeeded { stats.failedSyncs += 1 }
        return report.succeeded
    }

    /// Heals the network, delivers every held request, and syncs every device for three rounds:
    /// the guarantee is convergence within three rounds. True when the last round was clean.
    func heal() async throws -> Bool {
        network.setFaults(false)
        await network.deliverReplays(all: true)
        var lastRoundClean = false
        for _ in 1...3 {
            lastRoundClean = true
            for i in devices.indices { lastRoundClean = await sync(i) && lastRoundClean }
            stats.healRounds += 1
        }
        return lastRoundClean
    }
}

/// The one error of the simulations: a stable code and a message naming what went wrong.
public struct SimulationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The simulated world could not be set up (its seed data, its server, its store).
        case setup
        /// A device could not sync where the simulation needs it to.
        case sync
        /// The server's retention pass failed.
        case retention
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
