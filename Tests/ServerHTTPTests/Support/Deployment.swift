import DataProtection
import FieldModel
import Foundation
import Replica
import ServerApp
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerPostgres
import ServerSQLite
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import Synchronization
import SyntheticData
import TestSupport
import Testing

/// A server as operators run it, assembled by `buildApplication` as `serve` assembles it
/// (SQLite file in a scratch data directory, directory, metrics, HTTP on a real loopback
/// socket), on a test clock, with an administrator client holding the bootstrapped token.
final class Deployment: Sendable {
    let directory: String
    let store: any ServerStore
    let engine: SyncEngine
    let access: AccessControl
    let running: RunningServer
    let admin: APIClient
    let adminToken: String
    let clock: TestClock
    /// What the server was assembled from, for a second instance on the same data.
    let configuration: ServerConfiguration

    static let serverReplica = ServerDefaults.serverReplica

    /// Where the deployment keeps its data: the embedded SQLite file, or a fresh schema of the
    /// test PostgreSQL (`DOORSTEP_TEST_POSTGRES_URL`).
    enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case sqlite = "SQLite", postgres = "PostgreSQL"

        static let postgresURL = ProcessInfo.processInfo.environment["DOORSTEP_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        /// SQLite, and PostgreSQL when the tests have one.
        static var all: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
        var testDescription: String { rawValue }

        /// The database the assembled server opens.
        func location() throws -> DatabaseLocation {
            switch self {
            case .sqlite: return .sqlite
            case .postgres:
                return .postgres(try TestPostgres.freshLocation())
            }
        }
    }

    private init(directory: String, configuration: ServerConfiguration, clockStart: Int64) async throws {
        self.directory = directory
        let clock = TestClock(clockStart)
        self.clock = clock
        var configuration = configuration
        configuration.dataDirectory = directory
        configuration.port = 0
        self.configuration = configuration
        running = try await buildApplication(configuration, clock: { clock.now }, logger: .silent).start()
        store = running.application.store
        engine = running.application.engine
        access = running.application.access
        adminToken = try #require(running.application.administratorToken)
        admin = APIClient(server: running.url, token: adminToken)
    }

    /// Runs `body` against a fresh deployment, then stops the server and removes its files.
    static func with(backend: Backend = .sqlite, limits: ServerLimits = ServerLimits(), clockStart: Int64 = HTTPFixture.now,
                     engine configure: (inout SyncEngine.Configuration) -> Void = { _ in },
                     _ body: (Deployment) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "doorstep-http-\(UUID().uuidString)"
        var configuration = ServerConfiguration()
        configuration.database = try backend.location()
        // PostgreSQL's instances share a key ring given to each (SQLite makes one beside its file).
        if backend == .postgres { configuration.dataKeys = KeyRing.generate().text }
        configuration.limits = limits
        configure(&configuration.engine)
        let deployment = try await Deployment(directory: directory, configuration: configuration, clockStart: clockStart)
        do {
            try await body(deployment)
        } catch {
            await deployment.shutdown()
            throw error
        }
        await deployment.shutdown()
    }

    /// Runs `body` against a second server on the same data (SQLite: the same file; PostgreSQL:
    /// the same schema) with its configuration changed by `change`: an operator's new setting as
    /// a phone meets it. Stopped after `body`.
    func withSecondInstance(_ change: (inout ServerConfiguration) -> Void, _ body: (RunningServer) async throws -> Void) async throws {
        var configuration = configuration
        change(&configuration)
        let clock = clock
        let second = try await buildApplication(configuration, clock: { clock.now }, logger: .silent).start()
        do {
            try await body(second)
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }

    func shutdown() async {
        await running.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Creates `worker` through the API.
    @discardableResult
    func create(_ worker: Worker) async throws -> WorkerDocument {
        try await admin.createWorker(WorkerDocument(worker))
    }

    /// Creates the worker (if needed), issues a code and enrols a new device with it.
    func enrol(_ worker: Worker, replica: UInt64) async throws -> FieldDevice {
        if try await store.worker(worker.id) == nil { try await create(worker) }
        let code = try await admin.issueCode(worker: worker.id.rawValue)
        let result = try await DeviceEnrolment.enrol(server: running.url, code: code.code, replica: ReplicaID(replica), deviceName: "phone \(replica)")
        return try FieldDevice(result, directory: directory, server: running.url, clock: clock)
    }

    /// Seeds `village`'s households and members from the fixture, as a county's existing roster.
    func seed(_ village: VillageCode) async throws {
        try await seed(HTTPFixture.households(in: village).map(ImportRecord.init)
            + HTTPFixture.dataset.members.filter { $0.village == village }.map(ImportRecord.init), villages: [village])
    }

    /// Seeds `records` of `villages` as the county's existing data.
    func seed(_ records: [ImportRecord], villages: [VillageCode]) async throws {
        try await store.registerVillages(villages)
        let result = try await engine.importRecords(records, by: AccessControl.bootstrapAdministrator, now: clock.now)
        precondition(result.rejected.isEmpty, "seed refused \(result.rejected.prefix(2))")
    }

    /// A raw HTTP request, for what a well-behaved client never sends.
    func raw(_ method: String, _ path: String, token: String?, headers: [String: String] = [:], body: [UInt8]? = nil) async throws -> RawResponse {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        return try await RawResponse.send(method, running.url.absoluteString + path, headers: all, body: body)
    }
}

/// The server's and devices' clock, moved by tests.
final class TestClock: Sendable {
    private let ms: Mutex<Int64>
    init(_ start: Int64) { ms = Mutex(start) }
    var now: Int64 { ms.withLock { $0 } }
    func advance(by delta: Int64) { ms.withLock { $0 += delta } }
}

/// An enrolled device: its replica file and an HTTP transport with its token.
struct FieldDevice {
    let token: String
    let identity: DeviceIdentity
    let replica: Replica
    let transport: HTTPTransport
    let clock: TestClock

    init(_ result: DeviceEnrolment.Result, directory: String, server: URL, clock: TestClock) throws {
        token = result.token
        identity = result.identity
        self.clock = clock
        replica = try Replica(path: "\(directory)/\(result.identity.deviceID).sqlite", identity: result.identity, wallClock: { clock.now })
        transport = HTTPTransport(server: server, token: result.token)
    }

    var deviceID: String { identity.deviceID }

    func sync() async -> SyncReport {
        let clock = self.clock
        return await SyncClient(replica: replica, transport: transport, batchLimit: 50, pageLimit: 40, catchUpPageLimit: 80,
                                sleep: { clock.advance(by: $0) }, jitter: { 0.5 }, now: { clock.now }).sync()
    }

    @discardableResult
    func syncOK(sourceLocation: SourceLocation = #_sourceLocation) async throws -> SyncReport {
        let report = await sync()
        try #require(report.succeeded, "\(deviceID) sync: \(report.outcome)", sourceLocation: sourceLocation)
        return report
    }
}

/// Seeded households and workers from SyntheticData: villages of one township.
enum HTTPFixture {
    static let dataset = DatasetGenerator.generate(DatasetSpec(seed: 20_261_129, size: .households(330)))
    static var villageA: VillageCode { dataset.villages[0].code }
    static var villageB: VillageCode { dataset.villages[1].code }
    /// 2026-11-30 12:00 China Standard Time: the day after the dataset's reference date.
    static let now: Int64 = Int64(CalendarDate(year: 2026, month: 11, day: 30)!.daysSinceEpoch) * 86_400_000 + 4 * 3_600_000

    static func households(in village: VillageCode) -> [Household] { dataset.households.filter { $0.village == village } }
    static func assistant(_ village: VillageCode, _ n: Int = 1) -> Worker {
        Worker(id: WorkerID(unchecked: "va-\(village)-\(n)"), name: "协理员", role: .villageAssistant, assignment: Assignment(villages: [village]))
    }
    static var reviewer: Worker {
        Worker(id: WorkerID(unchecked: "tr-\(villageA.township)"), name: "审核员", role: .townshipReviewer,
               assignment: Assignment(townships: [villageA.township]))
    }
}
