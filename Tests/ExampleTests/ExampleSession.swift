import Foundation
import LoadSimulation
import SyntheticData
import FieldModel
import TestSupport

/// Runs examples in order in one scratch directory, as a reader would in one terminal: the
/// servers they start keep running until the session closes, a code one prints is the code the
/// next uses. What a test machine cannot do as written it does scaled down or on loopback, by the
/// substitutions below, each stated once; what it cannot do at all is in `exemptions`, with why.
final class ExampleSession {
    let directory: String
    private(set) var servers: [Int: ServerProcess] = [:]
    private var started: [ServerProcess] = []
    private var code: String?
    private var outputs: [String] = []

    /// Commands not run, by the beginning of one of their `&&` parts, and why.
    static let exemptions: [(prefix: String, reason: String)] = [
        ("scripts/test.sh", "the test suite itself: CI runs it"),
        ("swift test", "the test suite itself"),
        ("scripts/run.sh", "builds client-sim in release first (minutes); what it runs, `client-sim run` on an embedded server, runs here from client-sim's help"),
        ("DEVICES=", "scripts/run.sh with another fleet: as scripts/run.sh"),
        ("scripts/bench.sh", "every benchmark on release builds, 27 minutes: BENCHMARKS.md holds its figures"),
        ("scripts/fuzz.sh", "builds fuzz/ with sanitizers and fuzzes for the seconds given"),
        ("scripts/load-postgres.sh", "1,000 devices on release builds over two instances (minutes): server/SCALING.md holds its figures"),
        ("BASELINE=", "scripts/load-postgres.sh beside SQLite: as scripts/load-postgres.sh"),
        ("scripts/postgres.sh", "scripts/test.sh starts the cluster the suite runs on with it"),
        ("scripts/check-ops.sh", "scripts/test.sh runs it after the Swift tests, on the files the ops tests save"),
        ("scripts/check-dashboard.py", "scripts/check-ops.sh runs it after the Swift tests, on the metrics the ops tests save"),
        ("scripts/postgres-pitr.sh", "RestoreDrillTests plays it step by step on a cluster of its own (point-in-time recovery)"),
        ("scripts/check-openapi.sh", "scripts/test.sh runs it after the Swift tests, with its own validator from PyPI"),
        ("scripts/check-api.sh", "scripts/test.sh runs it after the Swift tests: Schemathesis against a real server (minutes)"),
        ("EXAMPLES=", "scripts/check-api.sh with more generated requests: as scripts/check-api.sh"),
        ("scripts/check-failover.sh", "scripts/test.sh runs it after the Swift tests: PostgreSQL with a standby, HAProxy and client-sim (minutes)"),
        ("scripts/check-deploy.sh", "scripts/test.sh runs it after the Swift tests: HAProxy, two instances and client-sim over HTTPS (a minute or more)"),
        (".build/release/doorstep-bench", "a benchmark on release builds (minutes): BENCHMARKS.md holds its figures"),
        ("doorstep-server admin file-relative", "names a household by the id the server gave it on import, which a reader reads off their own roll; PolicyPathTests files relatives through the same API"),
        ("client-sim capacity", "raises the rate until the server's p99 reaches a second (minutes); VirtualFleetTests plays each mode"),
    ]

    /// Fleets, cycles and seeds a test run can afford, in place of the documented ones.
    static let scaled: [(String, String)] = [
        ("--devices 1000", "--devices 7"), ("--devices 200", "--devices 7"), ("--cycles 1000", "--cycles 2"), ("--seeds 1000", "--seeds 2"),
        ("--size county", "--size village"), ("--retention-days 800", "--retention-days 240 --horizon-days 10"),
    ]

    init(_ name: String) throws {
        directory = NSTemporaryDirectory() + "doorstep-examples-\(name)-\(UUID().uuidString.prefix(8))"
        // `.build/release` and `.build/debug` as the texts name them: the executables this test was built with.
        for configuration in ["release", "debug"] {
            let bin = directory + "/.build/" + configuration
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            for program in Examples.programs {
                try FileManager.default.createSymbolicLink(atPath: bin + "/" + program,
                                                           withDestinationPath: ChildProcess.siblings.appendingPathComponent(program).path)
            }
        }
        // The roster an administrator imports: a generated village's first households, as a county sheet.
        let village = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .households(40)))
        let households = Array(village.households.prefix(3))
        let ids = Set(households.map(\.id))
        try RosterCSVWriter.render(households, members: village.members.filter { ids.contains($0.householdID) })
            .write(toFile: directory + "/roster.csv", atomically: true, encoding: .utf8)
    }

    /// What happened to one example.
    enum Outcome: Equatable {
        case ran(String)
        case started(URL)
        case exempt(String)
        /// Needs PostgreSQL, which this (non-CI) run has not.
        case skipped(String)
    }

    func run(_ example: Example) async throws -> Outcome {
        let parts = example.command.components(separatedBy: " && ")
        if let exemption = Self.exemptions.first(where: { e in parts.contains { $0.hasPrefix(e.prefix) } }) { return .exempt(exemption.reason) }
        var outcome = Outcome.ran("")
        for part in parts {
            outcome = try await step(part, example)
            if case .skipped = outcome { return outcome }
        }
        if let prints = example.prints, case .ran(let output) = outcome, !output.contains(prints) {
            throw TestFailure("\(example): the text says it prints \"\(prints)\", it printed:\n\(output)")
        }
        return outcome
    }

    private func step(_ text: String, _ example: Example) async throws -> Outcome {
        let words = text.split(separator: " ").map(String.init)
        if words.first == "swift", words.prefix(2) == ["swift", "build"], let i = words.firstIndex(of: "--product"), i + 1 < words.count {
            let product = words[i + 1]
            guard FileManager.default.isExecutableFile(atPath: ChildProcess.siblings.appendingPathComponent(product).path) else {
                throw TestFailure("\(example): there is no product \(product) beside the tests")
            }
            return .ran("")
        }
        if words.first == "export" {
            guard text.contains("$PWD/.build/release"), FileManager.default.fileExists(atPath: directory + "/.build/release/doorstep-server") else {
                throw TestFailure("\(example): an export this test does not know")
            }
            return .ran("")
        }
        guard let command = try substituted(text, example) else { return .skipped("needs PostgreSQL: DOORSTEP_TEST_POSTGRES_URL is not set") }
        if command.contains("doorstep-server serve") { return .started(try await serve(command, documented: text, example)) }
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", command], environment: environment, in: directory)
        guard result.status == 0 else { throw TestFailure("\(example)\nran as: \(command)\nexit \(result.status):\n\(result.output)") }
        if let found = result.output.firstMatch(of: /"code" : "([A-Z0-9-]+)"/) { code = String(found.1) }
        return .ran(result.output)
    }

    /// Starts a server in the background until the session closes; the first one on each
    /// documented port is the one the examples' URLs and admin commands reach.
    private func serve(_ command: String, documented: String, _ example: Example) async throws -> URL {
        let port = Int(documented.firstMatch(of: /--port (\d+)/)?.1 ?? "8080") ?? 8080
        let data = documented.firstMatch(of: /--data-dir (\S+)/).map { String($0.1) }.map(local) ?? "doorstep-data"
        let log = directory + "/server-\(started.count).log"
        let child = try ChildProcess.start(URL(fileURLWithPath: "/bin/bash"), ["-c", "exec " + command.replacingOccurrences(of: " &", with: "")],
                                           environment: serverEnvironment, in: directory, log: log)
        let server: ServerProcess
        do { server = try await ServerProcess.attach(child, dataDirectory: directory + "/" + data) } catch {
            throw TestFailure("\(example)\nran as: \(command)\n\(error)")
        }
        started.append(server)
        if servers[port] == nil { servers[port] = server }
        return server.url
    }

    /// The command as this machine runs it: loopback URLs of the servers started, the code last
    /// printed, the test's PostgreSQL, paths under the session, smaller fleets. Nil when it needs
    /// a PostgreSQL this run has not.
    private func substituted(_ text: String, _ example: Example) throws -> String? {
        var command = text
        for (documented, scaled) in Self.scaled { command = command.replacingOccurrences(of: documented, with: scaled) }
        command = command.replacing(/--port \d+/, with: "--port 0")
        for match in text.matches(of: /http:\/\/[0-9.]+:(\d+)/) {
            guard let server = servers[Int(match.1)!] else { throw TestFailure("\(example): no server was started on port \(match.1) before it") }
            command = command.replacingOccurrences(of: String(match.0), with: server.url.absoluteString)
        }
        if let code { command = command.replacingOccurrences(of: "K7QM-2XD9-HP4R", with: code) }
        for path in ["/var/lib/doorstep", "/etc/doorstep"] { command = command.replacingOccurrences(of: path, with: local(path)) }
        if let database = command.firstMatch(of: /'?postgres:\/\/[^ ']*db\.internal[^ ']*'?/) {
            guard TestPostgres.runs else { return nil }
            let url = try TestPostgres.serverURL(schema: TestPostgres.freshSchema(prefix: "ex_"))
            command = command.replacingOccurrences(of: String(database.0), with: "'\(url)'")
        }
        return command
    }

    /// An absolute path of the texts, inside the session.
    private func local(_ path: String) -> String { path.hasPrefix("/") ? "root" + path : path }

    /// The texts' environment: the build's executables on PATH, and the administrator commands
    /// pointed at the first server, as DOORSTEP_SERVER and DOORSTEP_DATA_DIR point them.
    private var environment: [String: String] {
        var env = ["PATH": directory + "/.build/release:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        if let first = servers[8080] {
            env["DOORSTEP_SERVER"] = first.url.absoluteString
            env["DOORSTEP_DATA_DIR"] = first.dataDirectory
        }
        return env
    }

    /// A server's: the build on PATH, a free port unless the command names one, and none of the
    /// administrator commands' variables (DOORSTEP_DATA_DIR would be its data directory too).
    private var serverEnvironment: [String: String] {
        var env = environment
        env["DOORSTEP_DATA_DIR"] = nil
        env["DOORSTEP_SERVER"] = nil
        env["DOORSTEP_PORT"] = "0"
        return env
    }

    func close() {
        for server in started { server.stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
