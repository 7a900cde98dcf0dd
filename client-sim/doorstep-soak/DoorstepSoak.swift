import ArgumentParser
import Foundation
import ServerApp
import SyncCore
import SyncSimulation

/// `doorstep-soak`: runs the deterministic fault simulation over many seeds and reports every
/// failing seed, which replays identically with `--from SEED --seeds 1`.
@main
struct DoorstepSoak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-soak",
        abstract: "Run the seeded sync simulation (a server and 2–20 devices, lossy network, crashes, skewed clocks) over many seeds.")

    @Option(help: "The first seed.")
    var from: UInt64 = 1

    @Option(help: "How many consecutive seeds to run.")
    var seeds: Int = 100

    @Option(help: "Devices per seed, as MIN...MAX (at most 20).")
    var devices: String = "2...20"

    @Option(help: "Steps per seed, as MIN...MAX.")
    var steps: String = "20...60"

    @Option(help: "Where seeds run (default: a directory on /dev/shm when present). A failing seed's files are kept.")
    var directory: String?

    @Flag(help: "Play each seed twice, with clocks a year off and with every clock correct, and require identical outcomes.")
    var compareClocks = false

    @Option(help: "Instead of seeds: this many simulated days of daily syncs against one server, its retention running daily; prints the server's and the devices' database sizes and fails if either grew after every horizon passed.")
    var retentionDays: Int?

    @Option(help: "With --retention-days: the tombstone horizon in days.")
    var horizonDays = Double(TombstoneHorizon.defaultMilliseconds / 86_400_000)

    @Option(help: "With --retention-days: sqlite, or a postgres:// URL whose database the soak may use.")
    var database = "sqlite"

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard let d = range(devices), d.lowerBound >= 2, d.upperBound <= 20 else {
            throw ValidationError("--devices must look like 2...20, with 2 ≤ MIN ≤ MAX ≤ 20")
        }
        guard let s = range(steps), s.lowerBound >= 1 else { throw ValidationError("--steps must look like 20...60, with MIN ≥ 1") }
    }

    func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.components(separatedBy: "...")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b else { return nil }
        return a...b
    }

    func run() async throws {
        if let retentionDays { return try await soakRetention(days: retentionDays) }
        let parent = directory ?? SimWorldScratch.directory
        let started = Date()
        var failures: [UInt64] = []
        for seed in from..<(from + UInt64(seeds)) {
            let config = SimulationConfig.draw(seed: seed, devices: range(devices)!, steps: range(steps)!)
            let passed: Bool
            let report: String
            if compareClocks {
                let comparison = try await SkewComparison.run(seed, config: config, directory: parent + "/seed-\(seed)-clocks")
                (passed, report) = (comparison.identical, "\(comparison)")
            } else {
                let result = try await SimWorld.runSeed(seed, config: config, parent: parent)
                (passed, report) = (result.passed, "\(result)")
            }
            if !passed {
                failures.append(seed)
                print(report)
            } else if seeds <= 20 || (seed - from) % 50 == 0 {
                print(report)
            }
        }
        if (try? FileManager.default.contentsOfDirectory(atPath: parent))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: parent)  // failing seeds' files stay for inspection
        }
        let elapsed = Date().timeIntervalSince(started)
        print("\(seeds) seeds from \(from): \(seeds - failures.count) passed, \(failures.count) failed in \(String(format: "%.1f", elapsed)) s")
        if !failures.isEmpty {
            print("failing seeds: \(failures.map(String.init).joined(separator: " ")) (their files are under \(parent))")
            throw ExitCode(1)
        }
    }
}

extension DoorstepSoak {
    /// `--retention-days`: the retention soak, its samples as a table, and the verdict.
    func soakRetention(days: Int) async throws {
        var soak = RetentionSoak.Configuration(days: days, directory: (directory ?? SimWorldScratch.directory) + "/retention")
        soak.tombstoneHorizonDays = horizonDays
        soak.database = try DatabaseLocation(database)
        try? FileManager.default.removeItem(atPath: soak.directory)
        print("retention soak: \(days) days, \(soak.devices) devices, horizon \(Int(horizonDays)) days, logs \(Int(soak.logDays)) days, \(soak.database)")
        let result = try await RetentionSoak.run(soak) { print($0) }
        print("day  server bytes  device bytes")
        for s in result.samples { print("\(s.day)  \(s.serverBytes)  \(s.deviceBytes.map(String.init).joined(separator: " "))") }
        print(String(format: "every horizon passed by day %d; from day %d to day %d: server ×%.3f, largest device ×%.3f; %.1f s",
                     soak.steadyFromDay, result.measuredFromDay, days, result.serverGrowth, result.deviceGrowth, result.seconds))
        try? FileManager.default.removeItem(atPath: soak.directory)
        guard result.serverGrowth <= 1.02, result.deviceGrowth <= 1.02 else {
            print("a database grew after every horizon had passed")
            throw ExitCode(1)
        }
    }
}

enum SimWorldScratch {
    static var directory: String { SimWorld.scratchDirectory() }
}
