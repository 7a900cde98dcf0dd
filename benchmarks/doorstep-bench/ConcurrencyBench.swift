import Foundation
import GRDB
import LoadSimulation

/// 1,000 client-sim devices syncing at once against one `doorstep-server` process on SQLite,
/// beside a small fleet syncing one device at a time against a fresh server in the same run:
/// the ratio is what a full fleet at once costs each sync. Devices sit on the loopback with no
/// modelled delay or loss, so every latency and every error is the server's and the stack's.
struct ConcurrencyBench {
    let devices: Int
    let baselineDevices: Int
    let serverExecutable: URL
    let scratch: String

    /// The review season on the loopback network, no connection cuts.
    static var scenario: Scenario {
        var s = Scenario.builtIn.first { $0.name == "review-season" }!
        s.networks = ["loopback": 1]
        s.cutChance = 0
        return s
    }

    func run() async throws -> [BenchResult] {
        note("concurrency baseline: \(baselineDevices) devices, one sync at a time")
        let alone = try await fleet(devices: baselineDevices, concurrency: 1, name: "alone")
        note("concurrency: \(devices) devices at once")
        let crowd = try await fleet(devices: devices, concurrency: devices, name: "crowd")
        let baselineName = "\(baselineDevices) devices of the same scenario syncing one at a time against a fresh server"
        func row(_ label: String, _ value: (LoadReport) -> Double, note: String) -> BenchResult {
            BenchResult(name: "concurrency: sync round trip \(label), \(devices.formatted()) devices at once against one server", unit: "ms",
                        doorstep: value(crowd.report), baseline: value(alone.report), baselineName: baselineName, note: note)
        }
        func serverRow(_ label: String, _ value: KeyPath<LoadReport.Percentiles, Double>, note: String) -> BenchResult {
            BenchResult(name: "concurrency: server time per exchange \(label), \(devices.formatted()) devices at once", unit: "ms",
                        doorstep: crowd.serverMilliseconds[keyPath: value], baseline: alone.serverMilliseconds[keyPath: value],
                        baselineName: baselineName, note: note)
        }
        let errors = "\(crowd.report.failedSyncs) of \(crowd.report.syncs.formatted()) syncs failed\(Self.codes(crowd.report)) (baseline \(alone.report.failedSyncs) of \(alone.report.syncs))"
        let verified = crowd.report.verification.passed && alone.report.verification.passed ? "verification passed" : "VERIFICATION FAILED"
        return [
            row("p50", { $0.latencyMilliseconds.p50 }, note: "\(errors); \(verified); every exchange of a sync, loopback, SQLite"),
            row("p95", { $0.latencyMilliseconds.p95 }, note: "the run took \(Int(crowd.report.totalSeconds)) s (baseline \(Int(alone.report.totalSeconds)) s)"),
            row("p99", { $0.latencyMilliseconds.p99 }, note: "max \(Int(crowd.report.latencyMilliseconds.max)) ms (baseline \(Int(alone.report.latencyMilliseconds.max)) ms)"),
            serverRow("p50", \.p50, note: "the server's own time per exchange (its sync history), beside the same for the baseline"),
            serverRow("p99", \.p99, note: "the server used \(Int(crowd.serverCPUSeconds)) s of CPU, client-sim \(Int(crowd.clientCPUSeconds)) s, on \(ProcessInfo.processInfo.activeProcessorCount) cores shared"),
            BenchResult(name: "concurrency: server resident memory, \(devices.formatted()) devices at once", unit: "MB, peak",
                        doorstep: crowd.peakMB, baseline: alone.peakMB, baselineName: baselineName,
                        note: "over time, at each tenth of the run: \(crowd.tenths.map { String(Int($0.rounded())) }.joined(separator: ", ")) MB",
                        series: crowd.memoryMB),
        ]
    }

    struct Fleet {
        let report: LoadReport
        /// The server's resident memory, MB, sampled each half second from start to stop.
        let memoryMB: [Double]
        let peakMB: Double
        /// The server's own time per exchange, from its sync history.
        let serverMilliseconds: LoadReport.Percentiles
        let serverCPUSeconds: Double
        let clientCPUSeconds: Double

        var tenths: [Double] { MemorySampler.tenths(memoryMB) }
    }

    func fleet(devices: Int, concurrency: Int, name: String) async throws -> Fleet {
        let directory = "\(scratch)/\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try await ServerProcess.start(executable: serverExecutable, dataDirectory: directory + "/server",
                                                   arguments: ["--enrolment-burst", "100000", "--enrolments-per-second", "10000"],
                                                   log: directory + "/server.log")
        let sampler = MemorySampler(server)
        let clientCPUBefore = ProcessStatus.cpuSeconds() ?? 0
        do {
            let configuration = LoadRunConfiguration(devices: devices, scenario: Self.scenario, servers: [server.url], adminToken: try server.adminToken,
                                                     directory: directory + "/fleet", seed: 1, concurrency: concurrency, timeScale: 0)
            let report = try await LoadRun(configuration) { note("  \($0)") }.run()
            let memory = await sampler.stop()
            let peak = Double(server.peakResidentBytes ?? 0) / 1_048_576
            let serverCPU = server.cpuSeconds ?? 0
            let clientCPU = (ProcessStatus.cpuSeconds() ?? 0) - clientCPUBefore
            server.stop()
            guard report.verification.passed else { throw BenchError("the \(name) fleet's verification failed:\n\(report.table)") }
            return Fleet(report: report, memoryMB: memory, peakMB: peak, serverMilliseconds: try Self.exchangeMilliseconds(directory + "/server/server.sqlite"),
                         serverCPUSeconds: serverCPU, clientCPUSeconds: clientCPU)
        } catch {
            _ = await sampler.stop()
            server.stop()
            throw error
        }
    }

    /// Every sync exchange's duration as the server logged it in its history.
    static func exchangeMilliseconds(_ path: String) throws -> LoadReport.Percentiles {
        let durations = try DatabaseQueue(path: path).read { db in try Double.fetchAll(db, sql: "SELECT duration_ms FROM sync_history") }
        return LoadReport.Percentiles(durations)
    }

    static func codes(_ report: LoadReport) -> String {
        report.failuresByCode.isEmpty ? "" : " (" + report.failuresByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }
}
