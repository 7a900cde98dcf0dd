import ArgumentParser
import FieldModel
import Foundation
import Replica
import SyncClient
import SyncClientHTTP
import SyncCore

/// A field device on the command line, for the quick start and for trying a server by hand:
/// its replica, token and server address live in one directory.
@main
struct DoorstepDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-device",
        abstract: "A Doorstep field device: enrol with a code, record households offline, sync.",
        discussion: """
            The device directory holds replica.sqlite (the local replica and its outbox), token (the bearer
            token, mode 0600) and server (the server's URL).

              doorstep-device enrol --server http://127.0.0.1:8080 --code K7QM-2XD9-HP4R --name "李华的手机"
              doorstep-device add-household --head-name 王建国 --head-id 14082119650312123X --address 三组12号 --income 420
              doorstep-device sync
              doorstep-device status
            """,
        subcommands: [Enrol.self, AddHousehold.self, Sync.self, Status.self]
    )
}

struct DeviceDirectory: ParsableArguments {
    @Option(help: "The device directory.") var dir = "doorstep-device"

    var replicaPath: String { dir + "/replica.sqlite" }
    var tokenPath: String { dir + "/token" }
    var serverPath: String { dir + "/server" }

    static let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The enrolled replica: its identity is read from the file, so any value will do here.
    func openReplica() throws -> Replica {
        guard FileManager.default.fileExists(atPath: replicaPath) else {
            throw ValidationError("\(dir) holds no enrolled device; run `doorstep-device enrol` first")
        }
        let placeholder = DeviceIdentity(replica: try storedReplica(),
                                         worker: Worker(id: WorkerID(unchecked: "-"), name: "-", role: .villageAssistant, assignment: Assignment()),
                                         deviceID: "-")
        return try Replica(path: replicaPath, identity: placeholder, wallClock: Self.clock)
    }

    func storedReplica() throws -> ReplicaID {
        guard let text = try? String(contentsOfFile: dir + "/replica", encoding: .utf8),
              let replica = ReplicaID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationError("\(dir)/replica is missing or unreadable; enrol again")
        }
        return replica
    }

    func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path); enrol first") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ text: String, to path: String, mode: Int) {
        FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: mode])
    }
}

struct Enrol: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Redeem a one-time code from the administrator; keeps the outbox of an earlier enrolment.")
    @OptionGroup var device: DeviceDirectory
    @Option(help: "The server's base URL.") var server: String
    @Option(help: "The enrolment code, as the administrator gave it.") var code: String
    @Option(help: "What the device is called, for ops.") var name = "doorstep-device"

    func run() async throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else { throw ValidationError("--server \(server) is not an http(s) URL") }
        try FileManager.default.createDirectory(atPath: device.dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The replica id is drawn once per install and kept, so a re-enrolment keeps the outbox.
        let replica: ReplicaID
        if let stored = try? device.storedReplica() { replica = stored } else {
            var generator = SystemRandomNumberGenerator()
            replica = ReplicaID(using: &generator)
            device.write(replica.description, to: device.dir + "/replica", mode: 0o600)
        }
        let result = try await DeviceEnrolment.enrol(server: url, code: code, replica: replica, deviceName: name)
        let replicaFile = try Replica(path: device.replicaPath, identity: result.identity, wallClock: DeviceDirectory.clock)
        try replicaFile.close()
        device.write(result.token, to: device.tokenPath, mode: 0o600)
        device.write(server, to: device.serverPath, mode: 0o600)
        print("enrolled \(result.identity.deviceID) (replica \(replica)) for \(result.identity.worker.id) \(result.identity.worker.name), \(result.identity.jurisdiction.assignment.summary)")
    }
}

struct AddHousehold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record a new household application (申请), offline; it syncs later.")
    @OptionGroup var device: DeviceDirectory
    @Option(help: "12-digit village code (default: the worker's first village).") var village: String?
    @Option(help: "户主姓名.") var headName: String
    @Option(help: "户主身份证号.") var headId: String
    @Option(help: "家庭住址.") var address: String
    @Option(help: "Monthly household income in yuan.") var income = 0
    @Option(help: "urbanDibao, ruralDibao or extremePoverty.") var category = "ruralDibao"

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let identity = try replica.currentIdentity()
        let village = try village.map { try VillageCode(validating: $0) } ?? identity.worker.assignment.villages.sorted().first
        guard let village else { throw ValidationError("the worker has no village of their own; pass --village") }
        guard let category = HouseholdCategory(rawValue: category) else { throw ValidationError("--category \(category) is not urbanDibao, ruralDibao or extremePoverty") }
        let now = DeviceDirectory.clock()
        let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: now)
        var generator = SystemRandomNumberGenerator()
        let household = Household(id: RecordID(milliseconds: now, using: &generator), village: village, headName: headName,
                                  headIDNumber: try IDCardNumber(validating: headId, asOf: today, field: "household.headIDNumber"),
                                  addressDetail: address, phone: nil, category: category, classification: .stable, status: .applied,
                                  monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: Int64(income) * 100, assetsFen: 0,
                                  appliedOn: today, coveredSince: nil, lastReviewedOn: nil, notes: "")
        let change = try replica.createHousehold(household)
        print("saved household \(household.id) in \(village) (change \(change.dot)); it waits in the outbox until the next sync")
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push the outbox and pull the worker's scope.")
    @OptionGroup var device: DeviceDirectory

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        guard let url = URL(string: try device.read(device.serverPath)) else { throw ValidationError("\(device.serverPath) holds no URL") }
        let transport = HTTPTransport(server: url, token: try device.read(device.tokenPath))
        let client = SyncClient(replica: replica, transport: transport, sleep: { try? await Task.sleep(for: .milliseconds($0)) },
                                jitter: { Double.random(in: 0..<1) }, now: DeviceDirectory.clock)
        let report = await client.sync()
        print("sync \(report.outcome): pushed \(report.pushed), acknowledged \(report.acked), rejected \(report.rejected), pulled \(report.pulled), \(report.exchanges) exchanges, \(report.bytesUp) B up, \(report.bytesDown) B down")
        for warning in report.warnings { print("warning from the server: \(warning.code): \(warning.message)") }
        if !report.succeeded { throw ExitCode(1) }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who the device serves, what waits in the outbox, the last sync.")
    @OptionGroup var device: DeviceDirectory

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let identity = try replica.currentIdentity()
        print("device \(identity.deviceID), replica \(identity.replica), worker \(identity.worker.id) (\(identity.worker.role.rawValue)), \(identity.jurisdiction.assignment.summary)")
        let outbox = try replica.outboxSummary()
        print("outbox: \(outbox)")
        for village in try replica.villages() {
            print("village \(village): \(try replica.households(in: village).count) households")
        }
        print("open conflicts: \(try replica.openConflicts().count)")
        if let last = try replica.lastSync() { print("last sync: \(last.result) at \(last.finishedMilliseconds)\(last.reason.map { " (\($0))" } ?? "")") }
    }
}
