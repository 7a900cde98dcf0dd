import ArgumentParser
import Foundation
import LoadSimulation

/// `client-sim capacity`: protocol-level virtual devices against one running server, measured by
/// the generator (its own CPU beside the latencies), then verified against the server.
struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Measure one server with thousands of in-memory virtual devices: closed loop or open loop, then verify.",
        discussion: """
            Each virtual device keeps its replica state in memory (cursors, counter, the versions of the records it
            pulled, its outbox) and speaks the real protocol over HTTP, so one process plays thousands of devices
            and measures the server rather than itself. After the devices pull their scopes:

              --mode closed      every device syncs again as soon as it is answered, for --seconds
              --mode open        exchanges start at --rate per second whatever the answers do (latency from the schedule)
              --mode capacity    open-loop steps at rising rates until p99 ≥ 1 s: the rate the server holds

            Then every device syncs until its outbox is empty: each acknowledged dot must be in the server's audit log
            exactly once, and every digest the server sends must equal the device's. A failed verification exits 1.

              client-sim capacity --devices 1000 --mode capacity --server http://127.0.0.1:8080 \\
                --admin-token-file doorstep-data/admin.token
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable { case closed, open, capacity }

    @Option(help: "Virtual devices: village assistants and one township reviewer per 30 villages.") var devices = 1_000
    @Option(help: "The server's base URL.") var server: String
    @Option(help: "A file holding the administrator token (the server's data-dir/admin.token).") var adminTokenFile: String
    @Option(help: "closed, open or capacity.") var mode = Mode.capacity
    @Option(help: "Exchanges per second (open); the first step's rate (capacity).") var rate = 50.0
    @Option(help: "Seconds of the closed or open phase, or of each capacity step.") var seconds = 20.0
    @Option(help: "Scenario writes of a village assistant per exchange.") var writes = 2
    @Option(help: "The seed of the villages, workers and writes.") var seed: UInt64 = 1
    @Option(help: "Write the phases and the verification as JSON to this file.") var report: String?

    func run() async throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else { throw ValidationError("--server \(server) is not an http(s) URL") }
        guard let token = try? String(contentsOfFile: adminTokenFile, encoding: .utf8) else { throw ValidationError("cannot read --admin-token-file \(adminTokenFile)") }
        let fleet = try await VirtualFleet.enrol(devices: devices, server: url, adminToken: token.trimmingCharacters(in: .whitespacesAndNewlines),
                                                 seed: seed, writesPerExchange: writes) { print($0) }
        var phases = [await fleet.bootstrap()]
        print(phases[0].summary)
        let duration = Duration.seconds(seconds)
        switch mode {
        case .closed: phases.append(await fleet.closedLoop(for: duration))
        case .open: phases.append(await fleet.openLoop(rate: rate, for: duration))
        case .capacity:
            let found = await fleet.capacity(start: rate, step: duration) { await fleet.openLoop(rate: $0, for: $1) }
            phases += found.steps
            print("held \(Int(found.heldRate)) exchanges/s at p99 < 1 s")
        }
        for p in phases.dropFirst() { print(p.summary) }
        let verification = try await fleet.verify()
        print("verification \(verification.passed ? "passed" : "FAILED"): \(verification.audited) of \(verification.acknowledged) acknowledged dots in the audit log once, \(verification.digestsCompared) village digests equal")
        for f in verification.failures { print("  \(f)") }
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(CapacityReport(phases: phases, verification: verification)).write(to: URL(fileURLWithPath: report))
        }
        if !verification.passed { throw ExitCode(1) }
    }

    struct CapacityReport: Codable {
        let phases: [FleetPhase]
        let verification: FleetVerification
    }
}
