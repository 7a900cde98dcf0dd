import Foundation
import LoadSimulation
import Testing

@Suite("client-sim plays scenarios against real servers and verifies them", .serialized)
struct LoadRunTests {
    static let binaries = ChildProcess.siblings

    func directory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "client-sim-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A server process on its own data directory, and devices against it: the conflict storm,
    /// in which assistants and their reviewer change the same incomes offline.
    @Test func aConflictStormAgainstAServerProcessIsVerified() async throws {
        let dir = try directory("storm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await ServerProcess.start(executable: Self.binaries.appendingPathComponent("doorstep-server"), dataDirectory: dir + "/server",
                                                   arguments: ["--enrolment-burst", "1000", "--enrolments-per-second", "1000"], log: dir + "/server.log")
        defer { server.stop() }
        var scenario = try Scenario.named("conflict-storm")
        scenario.householdsPerVillage = 12
        let configuration = LoadRunConfiguration(devices: 9, scenario: scenario, servers: [server.url], adminToken: try server.adminToken,
                                                 directory: dir + "/run", seed: 5, concurrency: 8, timeScale: 0)
        let report = try await LoadRun(configuration) { _ in }.run()
        #expect(report.verification.passed, "\(report.verification.failures)")
        #expect(report.devices == 9 && report.syncs >= 9 * 3)
        #expect(report.conflictsOpened > 0, "assistants and the reviewer changed the same incomes")
        #expect(report.conflictsResolved >= report.conflictsOpened)
        #expect(report.verification.acknowledgedWrites > 0 && report.verification.villagesCompared >= 8)
        #expect(report.latencyMilliseconds.p50 > 0, "every sync's latency was measured")
        #expect(server.stop() == 0, "the server stops cleanly after the run")
    }

    /// Given no server, the run starts its own on SQLite: one command shows the whole system.
    @Test(arguments: ["review-season", "screening-campaign", "reconnect-storm", "reassignment", "long-offline"])
    func aScenarioAgainstTheEmbeddedServerIsVerified(_ name: String) async throws {
        let dir = try directory(name)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var scenario = try Scenario.named(name)
        scenario.householdsPerVillage = 10
        scenario.days = min(scenario.days, 4)
        let report = try await LoadRun(LoadRunConfiguration(devices: 7, scenario: scenario, directory: dir, seed: 3, concurrency: 8, timeScale: 0)) { _ in }.run()
        #expect(report.verification.passed, "\(name): \(report.verification.failures)")
        #expect(report.changesAcknowledged > 0, "\(name)")
        #expect(report.bytesPerDevice > 0)
    }

    @Test func theScenarioFilesAreTheBuiltInOnes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("client-sim/scenarios")
        for builtIn in Scenario.builtIn {
            let fromFile = try Scenario.named(folder.appendingPathComponent("\(builtIn.name).json").path)
            #expect(fromFile == builtIn, "client-sim/scenarios/\(builtIn.name).json (regenerate with `client-sim scenarios --write client-sim/scenarios`)")
        }
        #expect(throws: LoadError.self) { try Scenario.named("no-such-scenario") }
    }
}
