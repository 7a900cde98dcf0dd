import FieldModel
import Foundation
import LoadSimulation
import Replica
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol

/// A real `doorstep-server` process on its own data directory, with its administrator.
struct FaultServer {
    let process: ServerProcess
    let admin: APIClient

    static let village = try! VillageCode(validating: "140821100201")

    static func start(in directory: String) async throws -> FaultServer {
        let process = try await ServerProcess.start(executable: binaries.appendingPathComponent("doorstep-server"), dataDirectory: directory + "/server",
                                                    arguments: ["--rate-burst", "10000", "--rate-per-second", "10000",
                                                                "--enrolment-burst", "100", "--enrolments-per-second", "100",
                                                                // The fault tests fill villages with hundreds of applications a day.
                                                                "--households-per-device-per-day", "100000", "--households-per-village-per-day", "100000"],
                                                    log: directory + "/server.log")
        return FaultServer(process: process, admin: APIClient(server: process.url, token: try process.adminToken))
    }

    /// A village assistant of `village` and an enrolment code for their device.
    func assistant(_ id: String) async throws -> String {
        _ = try await admin.createWorker(WorkerDocument(id: id, name: "协理员", role: Role.villageAssistant.rawValue, villages: [Self.village.description]))
        return try await admin.issueCode(worker: id).code
    }

    /// A device enrolled in this process with a replica at `path`.
    func enrol(_ worker: String, replica: UInt64, at path: String) async throws -> FaultDevice {
        let result = try await DeviceEnrolment.enrol(server: process.url, code: try await assistant(worker), replica: ReplicaID(replica), deviceName: worker)
        return FaultDevice(replica: try result.openReplica(at: path, wallClock: FaultDevice.clock),
                           transport: HTTPTransport(server: process.url, token: result.token))
    }

    /// How often the server applied each dot of `replica` (its audit log).
    func applied(_ replica: Replica) async throws -> [String: Int] {
        try await admin.auditLog(replica: replica.identity.replica.description, limit: 100_000).reduce(into: [:]) { $0[$1.dot, default: 0] += 1 }
    }
}

/// A device in the test process: a real replica and the HTTP transport.
struct FaultDevice {
    let replica: Replica
    let transport: HTTPTransport

    static let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    func sync() async -> SyncReport {
        var session = SyncSession.Configuration()
        session.maxAttempts = 2
        return await SyncClient(replica: replica, transport: transport, configuration: session, sleep: { _ in }, jitter: { 0.5 }, now: Self.clock).sync()
    }

    /// A new application with a valid ID number drawn from `n`.
    @discardableResult
    func createHousehold(_ n: Int, address: String = "三组12号") throws(ReplicaError) -> Household {
        let birth = CalendarDate(year: 1950 + n % 40, month: 1 + n % 12, day: 1 + n % 28)!
        var random = SystemRandomNumberGenerator()
        let household = Household(id: RecordID(milliseconds: Self.clock(), using: &random), village: FaultServer.village, headName: "王建国",
                                  headIDNumber: IDCardNumber.make(region: FaultServer.village.county, birth: birth, sequence: n % 1000),
                                  addressDetail: address, phone: nil, category: .ruralDibao, classification: .stable, status: .applied,
                                  monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: Int64(n % 900) * 100, assetsFen: 0,
                                  appliedOn: try replica.today(), coveredSince: nil, lastReviewedOn: nil, notes: "")
        try replica.createHousehold(household)
        return household
    }

    /// What a failed write or apply must leave exactly as it was.
    struct Snapshot: Equatable {
        let households: Int
        let pending: Int
        let lastCounter: UInt64
        let digest: ScopeDigest
    }

    func snapshot() throws -> Snapshot {
        Snapshot(households: try replica.households(in: FaultServer.village).count, pending: try replica.pendingChanges().count,
                 lastCounter: try replica.lastCounter(), digest: try replica.digest(of: FaultServer.village))
    }
}
