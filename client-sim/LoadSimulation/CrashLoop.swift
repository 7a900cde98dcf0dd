import FieldModel
import Foundation
import Replica
import ServerApp
import ServerHTTP
import SyncCore
import SyncProtocol
import SyntheticData

/// What a crash loop does: how many cycles, how often it kills what.
public struct CrashLoopConfiguration: Sendable {
    public var cycles: Int
    /// Where the server's data, the devices' directories and the logs go.
    public var directory: String
    /// The directory holding `doorstep-server` and `doorstep-device`.
    public var binaries: URL
    public var seed: UInt64 = 1
    public var devices = 2
    /// A device process is killed this long after it starts, drawn uniformly.
    public var killAfterMilliseconds: ClosedRange<Int> = 30...1_200
    /// Per committed push, the chance that the server kills itself before answering.
    public var serverCrashAfterCommit = 0.05
    /// Per cycle, the chance that the server is also SIGKILLed at a random instant of the device's run.
    public var serverKillChance = 0.15
    /// Photos a device's visit carries, 0 to this (0: none); each sync is followed by an upload
    /// round in chunks of `chunkBytes`, so kills land in the middle of uploads.
    public var photosPerVisit = 0
    public var chunkBytes = 2_048

    public init(cycles: Int, directory: String, binaries: URL) {
        self.cycles = cycles
        self.directory = directory
        self.binaries = binaries
    }
}

/// What a crash loop did and found.
public struct CrashLoopReport: Sendable, Codable, CustomStringConvertible {
    public var cycles = 0
    /// Device processes SIGKILLed while they ran.
    public var deviceKills = 0
    /// Writes the killed processes printed as committed (each a transaction that returned).
    public var committedWrites = 0
    /// Changes the server applied, counted from its audit log at the end.
    public var writesOnServer = 0
    public var serverCrashesAfterCommit = 0
    public var serverKills = 0
    public var serverRestarts = 0
    /// Changes found pending on a device after a kill though the server had applied them: a
    /// response lost to a crash, re-sent by the next sync and acknowledged without applying twice.
    public var resentAfterLostResponse = 0
    /// Photos the killed processes printed as taken (recorded with their visit, file kept).
    public var photosTaken = 0
    /// Of those, the ones the server served back byte for byte (SHA-256 and size) to their device.
    public var photosOnServer = 0
    /// Device processes killed during an upload round (after `uploading`, before its report).
    public var deviceKillsDuringUpload = 0
    public var failures: [String] = []
    public var seconds = 0.0

    public var passed: Bool { failures.isEmpty }

    public var description: String {
        let head = "\(cycles) cycles in \(String(format: "%.0f", seconds)) s: \(deviceKills) device kills, \(committedWrites) writes printed as committed, "
            + "\(writesOnServer) applied on the server; server: \(serverCrashesAfterCommit) crashes after commit, \(serverKills) kills, "
            + "\(serverRestarts) restarts; \(resentAfterLostResponse) changes re-sent after a lost response; "
            + (photosTaken > 0 ? "\(photosTaken) photos taken, \(photosOnServer) on the server by hash, \(deviceKillsDuringUpload) device kills during an upload — " : "")
            + (passed ? "every check passed" : "\(failures.count) failures")
        return ([head] + failures.prefix(20).map { "  \($0)" }).joined(separator: "\n")
    }
}

/// Real processes killed at random instants: `doorstep-device work` (writes and syncs in a loop)
/// with SIGKILL, a `doorstep-server` that kills itself between commit and response and is
/// killed from outside; each restarted on the same files. After every kill the device's file
/// must pass `PRAGMA integrity_check`, hold every write the process printed as committed, mark
/// nothing synced that the server did not apply, and sync to the end; the server must apply
/// every change exactly once.
public actor CrashLoop {
    let configuration: CrashLoopConfiguration
    var random: SeededGenerator
    var server: ServerProcess?
    var serverKilledByUs = false
    var devices: [CrashLoopDevice] = []
    var report = CrashLoopReport()
    static let village = "140821100201"

    public init(_ configuration: CrashLoopConfiguration) {
        self.configuration = configuration
        random = SeededGenerator(seed: configuration.seed, stream: 0xC4A5)
    }

    var dataDirectory: String { configuration.directory + "/server" }

    public func run(progress: @Sendable (String) -> Void) async throws -> CrashLoopReport {
        let started = Date()
        try FileManager.default.createDirectory(atPath: configuration.directory + "/logs", withIntermediateDirectories: true)
        try await ensureServer()
        try await enrolDevices()
        for cycle in 0..<configuration.cycles {
            try await runCycle(cycle)
            report.cycles += 1
            if (cycle + 1) % 50 == 0 || cycle + 1 == configuration.cycles {
                progress("cycle \(cycle + 1)/\(configuration.cycles): \(report.deviceKills) device kills, \(report.serverCrashesAfterCommit + report.serverKills) server deaths, \(report.failures.count) failures")
            }
        }
        try await converge()
        server?.stop()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    func fail(_ message: String) {
        report.failures.append(message)
    }

    func admin() throws -> APIClient {
        guard let server else { throw LoadError(.server, "no server is running") }
        return APIClient(server: server.url, token: try server.adminToken)
    }

    func enrolDevices() async throws {
        for i in 0..<configuration.devices {
            let worker = WorkerDocument(id: "crash-\(i)", name: "协理员" + String(repeating: "甲", count: i + 1), role: Role.villageAssistant.rawValue, villages: [Self.village])
            _ = try await withServer { try await $0.createWorker(worker) }
            let code = try await withServer { try await $0.issueCode(worker: worker.id) }
            devices.append(try await CrashLoopDevice.enrol(name: "crash-\(i)", directory: "\(configuration.directory)/device-\(i)", server: server!.url,
                                                           code: code.code, binaries: configuration.binaries))
        }
    }

    /// One device process run and killed, a server kill perhaps, then the checks and a sync.
    func runCycle(_ cycle: Int) async throws {
        let d = cycle % devices.count
        try await ensureServer()
        let log = "\(configuration.directory)/logs/cycle-\(cycle)-\(devices[d].name).log"
        let failuresBefore = report.failures.count
        let child = try devices[d].startWork(binaries: configuration.binaries, photosPerVisit: configuration.photosPerVisit,
                                             chunkBytes: configuration.chunkBytes, log: log)
        let killAt = Int.random(in: configuration.killAfterMilliseconds, using: &random)
        if Double.random(in: 0..<1, using: &random) < configuration.serverKillChance {
            let serverKillAt = Int.random(in: 0...killAt, using: &random)
            try await Task.sleep(for: .milliseconds(serverKillAt))
            serverKilledByUs = true
            server?.kill()
            try await Task.sleep(for: .milliseconds(killAt - serverKillAt))
        } else {
            try await Task.sleep(for: .milliseconds(killAt))
        }
        if child.isRunning { report.deviceKills += 1 }
        child.kill()
        if !child.killed(by: SIGKILL) {
            fail("cycle \(cycle): \(devices[d].name) exited by itself (status \(child.terminationStatus)) before the kill; see \(log)")
        }
        let tally = try devices[d].learn(fromLog: log)
        report.committedWrites += tally.committed
        report.photosTaken += tally.photos
        if tally.killedDuringUpload { report.deviceKillsDuringUpload += 1 }
        try await ensureServer()
        try await checkAfterKill(d, cycle: cycle)
        try await syncToTheEnd(d, cycle: cycle)
        try await uploadToTheEnd(d, cycle: cycle)
        if report.failures.count == failuresBefore { try? FileManager.default.removeItem(atPath: log) }
    }

    /// Restarts the server if it died, after checking its file, and points every device at it.
    func ensureServer() async throws {
        if let server, server.child.isRunning { return }
        var expectedDeath = true
        if let dead = server {
            let status = await dead.child.exited()
            let log = (try? String(contentsOfFile: dead.log, encoding: .utf8)) ?? ""
            if log.contains(FaultInjection.crashMessage) {
                report.serverCrashesAfterCommit += 1
            } else if serverKilledByUs {
                report.serverKills += 1
            } else {
                fail("the server died by itself (status \(status)); see \(dead.log)")
                expectedDeath = false
            }
            serverKilledByUs = false
            let integrity = try await ServerFile.integrityCheck(dataDirectory + "/server.sqlite")
            if integrity != "ok" { fail("after a server death its database fails integrity_check: \(integrity)") }
            report.serverRestarts += 1
        }
        let started = try await ServerProcess.start(
            executable: configuration.binaries.appendingPathComponent("doorstep-server"), dataDirectory: dataDirectory,
            // The devices register applications as fast as they can: the creation budget is out of the way.
            arguments: ["--rate-burst", "100000", "--rate-per-second", "100000", "--upload-burst-bytes", "1000000000", "--upload-bytes-per-second", "1000000000",
                        "--enrolment-burst", "1000", "--enrolments-per-second", "1000",
                        "--households-per-device-per-day", "1000000", "--households-per-village-per-day", "1000000"],
            environment: [ServerSetting.named("fault.crashAfterCommit")!.environmentVariable: String(configuration.serverCrashAfterCommit)],
            log: "\(configuration.directory)/logs/server-\(report.serverRestarts).log")
        if let dead = server, expectedDeath { try? FileManager.default.removeItem(atPath: dead.log) }
        server = started
        for device in devices { try device.use(server: started.url) }
    }
}
