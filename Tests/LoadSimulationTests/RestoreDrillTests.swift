import DataProtection
import Foundation
import LoadSimulation
import Synchronization
import TestSupport
import Testing

/// The restore drill (SPEC §4, "Restores"), on real server processes and real sockets: devices
/// sync through the review season, a backup is taken while they sync on day 2, they keep
/// working, the server is stopped and restored from that backup, and they sync again. Every
/// change a device ever had acknowledged must be on the restored server exactly once, none
/// refused, and every replica equal to the server.
@Suite("a server restored from a backup loses nothing", .serialized)
struct RestoreDrillTests {
    static let server = LoadRunTests.binaries.appendingPathComponent("doorstep-server")

    /// Runs `doorstep-server arguments`, failing with its output unless it exits 0; returns the output.
    @discardableResult
    static func command(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let (status, output) = try await ChildProcess.run(server, arguments, environment: environment)
        guard status == 0 else { throw TestFailure("doorstep-server \(arguments.joined(separator: " ")) exited \(status): \(output)") }
        return output
    }

    /// The review season with a restore drill against `start`'s server, which `backup` backs up
    /// and `restore` restores (the server stopped meanwhile).
    static func drill(in dir: String, arguments: [String] = [], environment: [String: String] = [:],
                      backup: @escaping @Sendable (ServerProcess) async throws -> Void,
                      restore: @escaping @Sendable (ServerProcess) async throws -> Void) async throws -> LoadReport {
        let common = ["--enrolment-burst", "1000", "--enrolments-per-second", "1000"] + arguments
        let first = try await ServerProcess.start(executable: server, dataDirectory: dir + "/server", arguments: common,
                                                  environment: environment, log: dir + "/server.log")
        let current = Mutex(first)
        defer { current.withLock { _ = $0.stop() } }
        let store = arguments.contains("--database") ? Array(arguments.drop { $0 != "--database" }.prefix(2)) : ["--data-dir", dir + "/server"]
        let restart: @Sendable () async throws -> Void = {
            let old = current.withLock { $0 }
            let reached = try #require(number("lastSequence", in: try await command(["backup-position"] + store, environment: environment)))
            #expect(old.stop() == 0, "the server stops cleanly before the restore")
            try await restore(old)
            let restored = try #require(number("lastSequence", in: try await command(["backup-position"] + store, environment: environment)))
            #expect(restored < reached, "the restore lost what came after the backup (sequence \(restored) of \(reached)): the devices must send it again")
            // The same address: the devices know the server by it.
            let again = try await ServerProcess.start(executable: server, dataDirectory: dir + "/server", arguments: common + ["--port", "\(old.port)"],
                                                      environment: environment, log: dir + "/server-restored.log")
            current.withLock { $0 = again }
        }
        var scenario = try Scenario.named("review-season")
        scenario.householdsPerVillage = 10
        scenario.days = 4
        var configuration = LoadRunConfiguration(devices: 8, scenario: scenario, servers: [first.url], adminToken: try first.adminToken,
                                                 directory: dir + "/run", seed: 11, concurrency: 8, timeScale: 0)
        configuration.drill = RestoreDrill(backupDay: 1, backup: { try await backup(current.withLock { $0 }) }, restore: restart)
        return try await LoadRun(configuration) { _ in }.run()
    }

    func directory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "restore-drill-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func expectPassed(_ report: LoadReport) {
        let v = report.verification
        print("restore drill: \(v.acknowledgedBeforeRestore) changes acknowledged before the restore, \(v.acknowledgedWrites) acknowledged in all, \(v.auditedWrites) in the audit log once, \(v.villagesCompared) villages compared")
        #expect(report.verification.passed, "\(report.verification.failures)")
        #expect(report.verification.acknowledgedBeforeRestore > 0, "devices had acknowledged changes when the server was restored")
        #expect(report.verification.acknowledgedWrites >= report.verification.acknowledgedBeforeRestore)
        #expect(report.verification.villagesCompared > 0)
    }

    @Test("SQLite: doorstep-server backup while devices sync, restore --from after, nothing lost")
    func sqlite() async throws {
        let dir = try directory("sqlite")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backup = dir + "/backup.sqlite"
        let report = try await Self.drill(in: dir, backup: { server in
            let output = try await Self.command(["backup", "--to", backup, "--data-dir", server.dataDirectory])
            #expect(output.contains("\"throughSequence\""), "backup prints what the copy holds: \(output)")
        }, restore: { server in
            let output = try await Self.command(["restore", "--from", backup, "--data-dir", server.dataDirectory])
            #expect(output.contains("\"epoch\""), "restore prints the new epoch: \(output)")
        })
        Self.expectPassed(report)
    }

    @Test("PostgreSQL: pg_dump while devices sync, pg_restore and restore after, nothing lost", .enabled(if: TestPostgres.runs))
    func postgres() async throws {
        let dir = try directory("postgres")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = try TestPostgres.freshLocation(prefix: "drill_")
        let url = try TestPostgres.requireURL()
        let database = try TestPostgres.serverURL(schema: location.schema)
        let environment = ["DOORSTEP_DATA_KEYS": KeyRing.generate().text]
        let dump = dir + "/backup.dump"
        let report = try await Self.drill(in: dir, arguments: ["--database", database], environment: environment, backup: { _ in
            // The position first: a dump that starts after it holds every change up to it.
            let position = try await Self.command(["backup-position", "--database", database], environment: environment)
            let sequence = try #require(Self.number("lastSequence", in: position))
            try await PostgresTools.run("pg_dump", ["--format=custom", "--schema", location.schema, "--file", dump, "--dbname", url])
            try await Self.command(["record-backup", "--sequence", "\(sequence)", "--database", database], environment: environment)
        }, restore: { _ in
            try await PostgresTools.run("psql", ["--dbname", url, "-v", "ON_ERROR_STOP=1", "-c", "DROP SCHEMA \(location.schema) CASCADE"])
            try await PostgresTools.run("pg_restore", ["--exit-on-error", "--dbname", url, dump])
            try await Self.command(["restore", "--database", database], environment: environment)
        })
        Self.expectPassed(report)
    }

    static func number(_ key: String, in json: String) -> UInt64? {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object[key] as? NSNumber)?.uint64Value
    }
}

/// PostgreSQL's own client tools, from the installed server's bin directory (`pg_config --bindir`).
enum PostgresTools {
    static func run(_ tool: String, _ arguments: [String]) async throws {
        let (_, bindir) = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["pg_config", "--bindir"])
        let path = bindir.trimmingCharacters(in: .whitespacesAndNewlines) + "/" + tool
        let (status, output) = try await ChildProcess.run(URL(fileURLWithPath: path), arguments)
        guard status == 0 else { throw TestFailure("\(tool) \(arguments.joined(separator: " ")) exited \(status): \(output)") }
    }
}
