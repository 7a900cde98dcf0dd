import ArgumentParser
import AsyncHTTPClient
import DataProtection
import FieldModel
import Foundation
import NIOSSL
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
            The device directory holds replica.sqlite (the local replica and its outbox, sealed),
            replica.sqlite.keys/ (the replica's key ring and the bearer token, mode 0600: a phone's keychain)
            and server (the server's URL). A server that revokes the device as lost (or as retired, once its outbox is
            synced) makes the next sync wipe all of it. The device speaks plain http to this machine only; a
            server elsewhere is https (https://doorstep.example.gov.cn).

              doorstep-device enrol --server http://127.0.0.1:8080 --code K7QM-2XD9-HP4R --name "李华的手机"
              doorstep-device add-household --head-name 王建国 --head-id 140821196503121239 --address 三组12号 --income 420
              doorstep-device sync
              doorstep-device status
            """,
        subcommands: [Enrol.self, AddHousehold.self, UpdateHousehold.self, RecordVisit.self, Sync.self, Upload.self, Status.self, Work.self]
    )
}

struct DeviceDirectory: ParsableArguments {
    @Option(help: "The device directory.") var dir = "doorstep-device"

    var replicaPath: String { dir + "/replica.sqlite" }
    var serverPath: String { dir + "/server" }
    /// Where the CA certificate a private server's certificate chains to is named, if any.
    var caPath: String { dir + "/ca-file" }
    /// Present when plain http to another machine was allowed at enrolment.
    var insecurePath: String { dir + "/allow-insecure-http" }
    /// The device's key store: the replica's key ring and the token (where `Replica` looks by default).
    var keys: FileKeyStore { FileKeyStore.beside(replicaPath) }
    static let tokenItem = "token"

    static let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The enrolled replica, with the identity stored in it.
    func openReplica() throws -> Replica {
        guard FileManager.default.fileExists(atPath: replicaPath) else {
            throw ValidationError("\(dir) holds no enrolled device; run `doorstep-device enrol` first")
        }
        return try Replica(existingAt: replicaPath, keys: keys, wallClock: Self.clock)
    }

    func storedReplica() throws -> ReplicaID {
        guard let text = try? String(contentsOfFile: dir + "/replica", encoding: .utf8),
              let replica = ReplicaID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationError("\(dir)/replica is missing or unreadable; enrol again")
        }
        return replica
    }

    /// The token, from the key store (moved there from a plain `token` file of an older version).
    func token() throws -> String {
        if let text = try keys.text(Self.tokenItem) { return text }
        let legacy = dir + "/token"
        guard let text = try? String(contentsOfFile: legacy, encoding: .utf8) else { throw ValidationError("no token in \(keys.directory); enrol first") }
        try keys.setText(Self.tokenItem, text.trimmingCharacters(in: .whitespacesAndNewlines))
        try FileManager.default.removeItem(atPath: legacy)
        return try token()
    }

    /// An HTTP client trusting the stored CA file, if any, besides the system's roots.
    func client() throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        if let ca = try? read(caPath) {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(ca)
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// One sync of `replica` with the stored server and token. When the server told the device
    /// to wipe and the replica did, everything else the directory holds goes too.
    func sync(_ replica: Replica) async throws -> SyncReport {
        guard let url = URL(string: try read(serverPath)) else { throw ValidationError("\(serverPath) holds no URL") }
        let http = try client()
        var transport = HTTPTransport(server: url, token: try token(), client: http)
        transport.allowInsecureHTTP = FileManager.default.fileExists(atPath: insecurePath)
        let client = SyncClient(replica: replica, transport: transport, sleep: { try? await Task.sleep(for: .milliseconds($0)) },
                                jitter: { Double.random(in: 0..<1) }, now: Self.clock)
        let report = await client.sync()
        try await http.shutdown()
        if report.wiped { try FileManager.default.removeItem(atPath: dir) }
        return report
    }

    /// One upload round of the evidence whose records the server acknowledged, with the stored
    /// server and token; `onChunk` hears each chunk the server answered.
    func upload(_ replica: Replica, chunkBytes: Int, onChunk: @escaping @Sendable (RecordID, Int64) -> Void) async throws -> AttachmentUploadReport {
        guard let url = URL(string: try read(serverPath)) else { throw ValidationError("\(serverPath) holds no URL") }
        let http = try client()
        var transport = HTTPTransport(server: url, token: try token(), client: http)
        transport.allowInsecureHTTP = FileManager.default.fileExists(atPath: insecurePath)
        let report = await AttachmentUploader(replica: replica, api: HTTPAttachmentUploadAPI(transport), chunkMaxBytes: chunkBytes, onChunk: onChunk).upload()
        try await http.shutdown()
        return report
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
    @Option(help: "A PEM file of the CA certificate a private server's certificate chains to (besides the system's roots).") var caFile: String?
    @Flag(help: "Allow plain http to another machine (a closed test network only; loopback is always allowed).") var allowInsecureHttp = false

    func run() async throws {
        guard let url = URL(string: server) else { throw ValidationError("--server \(server) is not a URL") }
        do { try ServerAddressPolicy.check(url, allowInsecureHTTP: allowInsecureHttp) } catch { throw ValidationError("--server: \(error.message)") }
        try FileManager.default.createDirectory(atPath: device.dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let caFile { device.write(caFile, to: device.caPath, mode: 0o600) }
        if allowInsecureHttp { device.write("yes", to: device.insecurePath, mode: 0o600) }
        // The replica id is drawn once per install and kept, so a re-enrolment keeps the outbox.
        let replica: ReplicaID
        if let stored = try? device.storedReplica() { replica = stored } else {
            var generator = SystemRandomNumberGenerator()
            replica = ReplicaID(using: &generator)
            device.write(replica.description, to: device.dir + "/replica", mode: 0o600)
        }
        let http = try device.client()
        let result: DeviceEnrolment.Result
        do { result = try await DeviceEnrolment.enrol(server: url, code: code, replica: replica, deviceName: name, client: http, allowInsecureHTTP: allowInsecureHttp) } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
        try result.openReplica(at: device.replicaPath, keys: device.keys, wallClock: DeviceDirectory.clock).close()
        try device.keys.setText(DeviceDirectory.tokenItem, result.token)
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
        // Dated by the clock corrected against the server's, not the phone's own.
        let today = try replica.today()
        var generator = SystemRandomNumberGenerator()
        let household = Household(id: RecordID(milliseconds: DeviceDirectory.clock(), using: &generator), village: village, headName: headName,
                                  headIDNumber: try IDCardNumber(validating: headId, asOf: today, field: Household.Field.headIDNumber.path),
                                  addressDetail: address, phone: nil, category: category, classification: .stable, status: .applied,
                                  monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: Int64(income) * 100, assetsFen: 0,
                                  appliedOn: today, coveredSince: nil, lastReviewedOn: nil, notes: "")
        let change = try replica.createHousehold(household)
        print("saved household \(household.id) in \(village) (change \(change.dot)); it waits in the outbox until the next sync")
    }
}

struct UpdateHousehold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change fields of a household the device holds, offline; it syncs later.")
    @OptionGroup var device: DeviceDirectory
    @Option(help: "The household's record id (as `status --households` lists it).") var household: String
    @Option(help: "Monthly household income in yuan (a review field: concurrent values wait for a reviewer).") var income: Int?
    @Option(help: "联系电话 (the latest write wins; the other is logged).") var phone: String?
    @Option(help: "备注 (the latest write wins; the other is logged).") var notes: String?

    func validate() throws {
        guard income != nil || phone != nil || notes != nil else { throw ValidationError("give at least one of --income, --phone, --notes") }
        guard RecordID(uuidString: household) != nil else { throw ValidationError("--household \(household) is not a record id (a UUID)") }
    }

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        var values: [Household.Field: FieldValue] = [:]
        if let income { values[.monthlyIncomeFen] = .int(Int64(income) * 100) }
        if let phone { values[.phone] = .text(phone) }
        if let notes { values[.notes] = .text(notes) }
        let changes = try replica.updateHousehold(RecordID(uuidString: household)!, values)
        print("saved \(changes.count) changes of household \(household) (\(changes.map(\.dot.description).joined(separator: ", "))); they wait in the outbox until the next sync")
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push the outbox and pull the worker's scope.")
    @OptionGroup var device: DeviceDirectory

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let report = try await device.sync(replica)
        print(report.line)
        for warning in report.warnings { print("warning from the server: \(warning.code): \(warning.message)") }
        if report.wiped { print("the server revoked this device and told it to wipe: \(device.dir) is deleted (replica, keys, token)") }
        if !report.succeeded { throw ExitCode(1) }
    }
}

extension SyncReport {
    var line: String {
        "\(wiped ? "wiped; " : "")sync \(outcome): pushed \(pushed), acknowledged \(acked), rejected \(rejected)\(restamped > 0 ? " (\(restamped) re-stamped and re-sent)" : ""), pulled \(pulled), \(exchanges) exchanges, \(bytesUp) B up, \(bytesDown) B down"
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who the device serves, what waits in the outbox, the last sync.")
    @OptionGroup var device: DeviceDirectory
    @Flag(name: .customLong("households"), help: "List each household with its id.") var listHouseholds = false

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let identity = try replica.currentIdentity()
        print("device \(identity.deviceID), replica \(identity.replica), worker \(identity.worker.id) (\(identity.worker.role.rawValue)), \(identity.jurisdiction.assignment.summary)")
        let outbox = try replica.outboxSummary()
        print("outbox: \(outbox)")
        for village in try replica.villages() {
            let households = try replica.households(in: village)
            print("village \(village): \(households.count) households")
            if listHouseholds { for h in households { print("  household \(h.id) \(h.headName) income \(h.monthlyIncomeFen / 100) phone \(h.phone ?? "-")") } }
        }
        print("open conflicts: \(try replica.openConflicts().count)")
        if let last = try replica.lastSync() { print("last sync: \(last.result) at \(last.finishedMilliseconds)\(last.reason.map { " (\($0))" } ?? "")") }
    }
}
