import ArgumentParser
import FieldModel
import Foundation
import GRDB
import LoadSimulation
import Replica
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import SyntheticData

/// Every benchmark, each beside a baseline measured in the same run on the same machine,
/// written as one Markdown table and JSON.
@main
struct DoorstepBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-bench",
        abstract: "Every benchmark of DESIGN §8, each beside a baseline measured in the same run: wire size, a device's township bootstrap, the cost of a small sync against server size, server ingest (1, 8 and 64 devices pushing at once), the capacity of one server with thousands of virtual devices on SQLite and PostgreSQL, and 1,000 client-sim devices at once.")

    enum Part: String, CaseIterable, ExpressibleByArgument {
        case wire, bootstrap, incremental, ingest, concurrency, capacity
    }

    @Option(help: "Run only these (repeat; \(Part.allCases.map(\.rawValue).joined(separator: ", "))). Default: all.") var only: [Part] = []
    @Option(help: "Households in the big server (the ingest and the second incremental point).") var households = 1_000_000
    @Option(help: "Households in the small server (the first incremental point).") var smallHouseholds = 100_000
    @Option(help: "Devices syncing at once in the concurrency benchmark.") var devices = 1_000
    @Option(help: "Devices of the concurrency baseline, syncing one at a time.") var baselineDevices = 20
    @Option(name: .customLong("fleet"), help: "Virtual devices of a capacity run (repeat). Default: 1,000 and 5,000.") var fleets: [Int] = [1_000, 5_000]
    @Option(help: "A PostgreSQL URL for the capacity runs on PostgreSQL (each run gets a schema of its own); none: SQLite only.") var postgres: String?
    @Option(help: "Seconds of each open-loop step of a capacity run.") var capacityStepSeconds = 10.0
    @Option(help: "Exchanges per second of a capacity run's first step (×1.4 each step).") var capacityStartRate = 25.0
    @Option(help: "The doorstep-server executable for the concurrency benchmark. Default: beside this one.") var serverExecutable: String?
    @Option(help: "Seed of the wire workloads' synthetic township.") var seed: UInt64 = 2026
    @Option(help: "A scratch directory for the databases (removed at the end).") var scratch = NSTemporaryDirectory() + "doorstep-bench"
    @Option(help: "Write the Markdown table here.") var markdown: String?
    @Option(help: "Write the figures as JSON here.") var json: String?

    func validate() throws {
        guard smallHouseholds >= 1_000, households > smallHouseholds else { throw ValidationError("need 1,000 ≤ --small-households < --households") }
        guard devices >= 2, baselineDevices >= 2 else { throw ValidationError("--devices and --baseline-devices must be at least 2") }
        guard fleets.allSatisfy({ $0 >= 2 }), capacityStepSeconds >= 1, capacityStartRate > 0 else {
            throw ValidationError("--fleet must be at least 2, --capacity-step-seconds at least 1 and --capacity-start-rate above 0")
        }
    }

    func run() async throws {
        let parts = only.isEmpty ? Set(Part.allCases) : Set(only)
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let started = ContinuousClock.now
        var results: [BenchResult] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)

        if parts.contains(.wire) {
            note("wire: three workloads beside deflated JSON and a session patchset")
            results += try WireBench(seed: seed, repeats: 5).run()
        }
        if parts.contains(.bootstrap) {
            note("bootstrap: a township to a fresh replica")
            results += try await BootstrapBench(scratch: scratch, now: now).run()
        }
        if !parts.isDisjoint(with: [.incremental, .ingest]) {
            let server = try BenchServer(path: scratch + "/server.sqlite")
            if parts.contains(.incremental) {
                note("seeding \(smallHouseholds) households")
                _ = try await server.grow(to: smallHouseholds, now: now)
                let small = try await IncrementalBench(server: server, now: now).measure()
                note("growing to \(households) households")
                let seedSeconds = try await server.grow(to: households, now: now)
                note("seeded in \(Int(seedSeconds)) s; measuring")
                let big = try await IncrementalBench(server: server, now: now).measure()
                results.append(BenchResult(name: "incremental sync (50 field changes + a 50-record page)", unit: "ms per sync, median of 30",
                                           doorstep: big * 1000, baseline: small * 1000,
                                           baselineName: "the same sync against \(smallHouseholds.formatted()) households",
                                           note: "against \(households.formatted()) households; ratio = cost growth for \(households / smallHouseholds)× the data"))
            } else {
                note("seeding \(households) households")
                _ = try await server.grow(to: households, now: now)
            }
            if parts.contains(.ingest) { results += try await IngestBench(server: server, scratch: scratch, now: now).run() }
            try await server.store.close()
        }
        let executable = serverExecutable.map { URL(fileURLWithPath: $0) }
            ?? ChildProcess.siblings.appendingPathComponent("doorstep-server")
        if !parts.isDisjoint(with: [.concurrency, .capacity]), !FileManager.default.isExecutableFile(atPath: executable.path) {
            throw ValidationError("no doorstep-server at \(executable.path): build it (swift build -c release --product doorstep-server) or pass --server-executable")
        }
        if parts.contains(.capacity) {
            results += try await CapacityBench(fleets: fleets, backends: [.sqlite] + (postgres.map { [.postgres($0)] } ?? []), serverExecutable: executable,
                                               scratch: scratch, step: .seconds(capacityStepSeconds), startRate: capacityStartRate).run()
        }
        if parts.contains(.concurrency) {
            results += try await ConcurrencyBench(devices: devices, baselineDevices: baselineDevices, serverExecutable: executable,
                                                  scratch: scratch + "/concurrency").run()
        }

        let seconds = (ContinuousClock.now - started).seconds
        let table = BenchResult.markdown(results) + "\nRan in \(Int(seconds.rounded())) s.\n"
        print(table)
        if let markdown { try table.write(toFile: markdown, atomically: true, encoding: .utf8) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(BenchRun(seconds: seconds, results: results)).write(to: URL(fileURLWithPath: json))
        }
    }
}

func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

/// The JSON file: the run's duration and every figure.
struct BenchRun: Codable {
    let seconds: Double
    let results: [BenchResult]
}

/// One figure beside its baseline.
struct BenchResult: Codable {
    let name: String
    let unit: String
    let doorstep: Double
    let baseline: Double
    let baselineName: String
    let note: String
    let ratio: Double
    /// Figures over time, where the benchmark has them (the server's memory).
    let series: [Double]?

    init(name: String, unit: String, doorstep: Double, baseline: Double, baselineName: String, note: String, series: [Double]? = nil) {
        self.name = name
        self.unit = unit
        self.doorstep = doorstep
        self.baseline = baseline
        self.baselineName = baselineName
        self.note = note
        self.ratio = baseline == 0 ? 0 : doorstep / baseline
        self.series = series
    }

    static func markdown(_ results: [BenchResult]) -> String {
        func f(_ v: Double) -> String { v >= 100 ? String(Int(v.rounded())) : String(format: "%.2f", v) }
        var lines = ["| benchmark | Doorstep | baseline | Doorstep / baseline | unit | baseline is |", "| --- | ---: | ---: | ---: | --- | --- |"]
        for r in results {
            lines.append("| \(r.name) | \(f(r.doorstep)) | \(f(r.baseline)) | \(String(format: "%.2f", r.ratio)) | \(r.unit) | \(r.baselineName); \(r.note) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
