import ArgumentParser
import FieldModel
import Foundation
import GRDB
import Replica
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import SyntheticData

/// Server and device benchmarks, each beside a plain-SQLite baseline measured in the same run
/// on the same machine, written as a Markdown table and JSON.
@main
struct DoorstepBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-bench",
        abstract: "Server ingest, a device's township bootstrap and the cost of a small sync against server size, each beside a baseline.")

    @Option(help: "Households in the big server (the ingest and the second incremental point).") var households = 1_000_000
    @Option(help: "Households in the small server (the first incremental point).") var smallHouseholds = 100_000
    @Option(help: "A scratch directory for the databases (removed at the end).") var scratch = NSTemporaryDirectory() + "doorstep-bench"
    @Option(help: "Write the Markdown table here.") var markdown: String?
    @Option(help: "Write the figures as JSON here.") var json: String?

    func run() async throws {
        guard smallHouseholds >= 1_000, households > smallHouseholds else { throw ValidationError("need 1,000 ≤ --small-households < --households") }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var results: [BenchResult] = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)

        note("bootstrap: a township to a fresh replica")
        results.append(try await BootstrapBench(scratch: scratch, now: now).run())

        let server = try BenchServer(path: scratch + "/server.sqlite")
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
        results.append(try await IngestBench(server: server, scratch: scratch, now: now).run())
        try await server.store.close()

        let table = BenchResult.markdown(results, households: households)
        print(table)
        if let markdown { try table.write(toFile: markdown, atomically: true, encoding: .utf8) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        }
    }
}

func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

/// One figure beside its baseline.
struct BenchResult: Codable {
    let name: String
    let unit: String
    let doorstep: Double
    let baseline: Double
    let baselineName: String
    let note: String
    var ratio: Double { baseline == 0 ? 0 : doorstep / baseline }

    static func markdown(_ results: [BenchResult], households: Int) -> String {
        func f(_ v: Double) -> String { v >= 100 ? String(Int(v.rounded())) : String(format: "%.2f", v) }
        var lines = ["| benchmark | Doorstep | baseline | Doorstep / baseline | unit | baseline is |", "| --- | ---: | ---: | ---: | --- | --- |"]
        for r in results {
            lines.append("| \(r.name) | \(f(r.doorstep)) | \(f(r.baseline)) | \(String(format: "%.2f", r.ratio)) | \(r.unit) | \(r.baselineName); \(r.note) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
