import DataProtection
import Foundation
import LoadSimulation

/// The capacity of one `doorstep-server` process: the exchanges per second it holds at round-trip
/// p99 < 1 s, found by open-loop steps of in-memory virtual devices at rising rates, beside the
/// same generator against `GET /healthz` of the same process (what the HTTP stack alone holds).
/// The fleet is verified after the steps (every acknowledged dot once in the audit log, every
/// digest equal), and the server's memory and both processes' CPU are read over the steps.
struct CapacityBench {
    let fleets: [Int]
    /// `sqlite`, or a PostgreSQL URL (each run gets a schema of its own).
    let backends: [Backend]
    let serverExecutable: URL
    let scratch: String
    let step: Duration
    let startRate: Double

    enum Backend {
        case sqlite
        case postgres(String)

        var name: String {
            switch self {
            case .sqlite: "SQLite"
            case .postgres: "PostgreSQL"
            }
        }
    }

    func run() async throws -> [BenchResult] {
        var results: [BenchResult] = []
        for backend in backends {
            for devices in fleets {
                results.append(try await measure(backend, devices: devices))
            }
        }
        return results
    }

    func measure(_ backend: Backend, devices: Int) async throws -> BenchResult {
        let name = "\(backend.name)-\(devices)"
        let directory = "\(scratch)/capacity-\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var arguments = ["--enrolment-burst", "100000", "--enrolments-per-second", "10000", "--rate-burst", "1000", "--rate-per-second", "1000"]
        var environment: [String: String] = [:]
        if case .postgres(let url) = backend {
            let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            arguments += ["--database", url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"]
            // A PostgreSQL store seals records under a key ring it is given (SQLite keeps its own
            // beside the database); a fresh one per run, as for the fresh schema.
            environment["DOORSTEP_DATA_KEYS"] = KeyRing.generate().text
        }
        let server = try await ServerProcess.start(executable: serverExecutable, dataDirectory: directory + "/server", arguments: arguments,
                                                   environment: environment, log: directory + "/server.log")
        defer { server.stop() }
        note("capacity \(backend.name), \(devices) devices: enrolling")
        let fleet = try await VirtualFleet.enrol(devices: devices, server: server.url, adminToken: try server.adminToken) { note("  \($0)") }
        let bootstrap = await fleet.bootstrap()
        note("  " + bootstrap.summary)
        guard bootstrap.errors == 0 else { throw BenchError("the \(name) fleet's bootstrap failed: \(bootstrap.errorSamples)") }

        let sampler = MemorySampler(server)
        let serverCPU = server.cpuSeconds ?? 0
        let sync = await fleet.capacity(start: startRate, step: step) { rate, duration in
            let phase = await fleet.openLoop(rate: rate, for: duration)
            note("  " + phase.summary)
            return phase
        }
        let serverCPUSync = (server.cpuSeconds ?? 0) - serverCPU
        let memory = await sampler.stop()
        let generatorCPU = sync.steps.map(\.generatorCPUSeconds).reduce(0, +)

        let ceiling = await fleet.capacity(start: startRate * 4, step: step) { rate, duration in
            let phase = await fleet.healthCeiling(rate: rate, for: duration)
            note("  " + phase.summary)
            return phase
        }
        let verification = try await fleet.verify()
        note("  verification \(verification.passed ? "passed" : "FAILED"): \(verification.failures.prefix(3))")
        guard verification.passed else { throw BenchError("the \(name) fleet's verification failed: \(verification.failures.prefix(5))") }
        guard let held = sync.held else { throw BenchError("the \(name) fleet held no rate at p99 < 1 s; first step: \(sync.steps.first?.summary ?? "none")") }

        let tenths = MemorySampler.tenths(memory)
        let share = serverCPUSync > 0 ? generatorCPU / serverCPUSync : 0
        return BenchResult(
            name: "capacity: one server on \(backend.name), \(devices.formatted()) virtual devices", unit: "exchanges per second at round-trip p99 < 1 s",
            doorstep: sync.heldRate, baseline: ceiling.heldRate,
            baselineName: "the same generator against GET /healthz of the same process (the HTTP ceiling)",
            note: String(format: "at the held rate p50 %.0f ms, p99 %.0f ms, 0 errors, %d changes acknowledged; steps of %d s from %.0f/s ×1.4; ",
                         held.latencyMilliseconds.p50, held.latencyMilliseconds.p99, held.changesAcknowledged, Int(step.seconds), startRate)
                + "verification passed (\(verification.audited.formatted()) acknowledged dots in the audit log once, \(verification.digestsCompared.formatted()) village digests equal); "
                + String(format: "CPU over the steps: server %.0f s, generator %.0f s (%.0f%% of the server's)", serverCPUSync, generatorCPU, share * 100)
                + "; server memory at each tenth of the steps: \(tenths.map { String(Int($0.rounded())) }.joined(separator: ", ")) MB",
            series: memory)
    }
}
