import ArgumentParser
import Foundation
import LoadSimulation

@main
struct ClientSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-sim",
        abstract: "Thousands of offline field devices against real Doorstep servers: scenarios, a network model, a verified report.",
        discussion: """
            Each device is a real replica on its own SQLite file, enrolled with a real code and token, syncing over
            HTTP through a modelled 2G/3G/4G network that drops requests, cuts connections and goes out of signal
            for days. Given no --server, the run starts an embedded server on SQLite in the run directory, so one
            command shows the whole system:

              client-sim run --scenario review-season --devices 200

            Against running servers (an administrator token is needed to import the roster and create workers):

              client-sim run --scenario screening-campaign --devices 1000 --run-dir screening-run \\
                --server http://10.0.0.5:8080 --admin-token-file doorstep-data/admin.token --report report.json

            The run ends with a verification against the server: no acknowledged write lost, each applied once,
            every replica equal to the server's view of its scope, nothing outside scope. A failed verification
            exits with status 1.
            """,
        subcommands: [Run.self, Scenarios.self, CrashLoopCommand.self, CapacityCommand.self],
        defaultSubcommand: Run.self
    )
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Play a scenario and verify the outcome.")

    @Option(help: "A built-in scenario (see `client-sim scenarios`) or a scenario JSON file.") var scenario = "review-season"
    @Option(help: "Devices: village assistants and one township reviewer per 30 villages.") var devices = 50
    @Option(name: .customLong("server"), help: "A server's base URL; repeat for instances sharing one database: devices enrol round-robin, each sync starts at the next instance and fails over to the others while one is down. None: an embedded server.") var servers: [String] = []
    @Option(help: "An administrator token of the servers.") var adminToken: String?
    @Option(help: "A file holding the administrator token (a server's data-dir/admin.token).") var adminTokenFile: String?
    @Option(help: "The run directory (device replicas, the embedded server's data); must not hold an earlier run.") var runDir = "client-sim-run"
    @Option(help: "The seed: the same seed plays the same run.") var seed: UInt64 = 1
    @Option(help: "Devices working or syncing at once.") var concurrency = 64
    @Option(help: "Network delays as real time × this factor (0 for none, 1 for the profiles' own).") var timeScale = 0.05
    @Option(help: "Write the report as JSON to this file.") var report: String?
    @Option(help: "A PEM file of the CA certificate the servers' certificates chain to (a proxy's private CA), trusted besides the system's roots.") var caFile: String?

    func run() async throws {
        let scenario = try Scenario.named(self.scenario)
        var urls: [URL] = []
        for s in servers {
            guard let url = URL(string: s), url.scheme == "http" || url.scheme == "https" else { throw ValidationError("--server \(s) is not an http(s) URL") }
            urls.append(url)
        }
        var token = adminToken
        if token == nil, let file = adminTokenFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read --admin-token-file \(file)") }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !urls.isEmpty, token == nil { throw ValidationError("running against --server needs --admin-token or --admin-token-file") }
        if FileManager.default.fileExists(atPath: runDir + "/devices") {
            throw ValidationError("\(runDir) holds an earlier run; give a fresh --run-dir")
        }
        let configuration = LoadRunConfiguration(devices: devices, scenario: scenario, servers: urls, adminToken: token, directory: runDir,
                                                 seed: seed, concurrency: concurrency, timeScale: timeScale, caFile: caFile)
        let start = ContinuousClock.now
        let run = try LoadRun(configuration) { line in
            let t = (ContinuousClock.now - start).components.seconds
            FileHandle.standardError.write(Data("[\(t) s] \(line)\n".utf8))
        }
        let result = try await run.run()
        print(result.table)
        if let report { try result.json.write(to: URL(fileURLWithPath: report)) }
        if !result.verification.passed { throw ExitCode(1) }
    }
}

struct Scenarios: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the built-in scenarios, or write them as JSON files to start your own from.")

    @Option(help: "Write each built-in scenario as <name>.json into this directory.") var write: String?

    func run() throws {
        if let write {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            for s in Scenario.builtIn {
                try (encoder.encode(s) + Data("\n".utf8)).write(to: URL(fileURLWithPath: "\(write)/\(s.name).json"))
            }
            return
        }
        for s in Scenario.builtIn { print("\(s.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(s.days) days  \(s.summary)") }
    }
}
