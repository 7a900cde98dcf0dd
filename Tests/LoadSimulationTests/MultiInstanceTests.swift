import DataProtection
import Foundation
import LoadSimulation
import Synchronization
import TestSupport
import Testing

/// Several `doorstep-server` processes on one PostgreSQL database (`DOORSTEP_TEST_POSTGRES_URL`,
/// started by scripts/test.sh), and client-sim devices spread over them, switching instance
/// from one sync to the next.
@Suite("several server instances share one PostgreSQL", .serialized, .enabled(if: TestPostgres.runs))
struct MultiInstanceTests {
    /// `count` server processes on a fresh schema; the first bootstraps the administrator.
    static func startInstances(_ count: Int, in dir: String) async throws -> [ServerProcess] {
        let database = try TestPostgres.serverURL(schema: TestPostgres.freshSchema())
        // Every instance seals with the same key ring, given in the environment.
        let keys = KeyRing.generate().text
        var instances: [ServerProcess] = []
        for i in 0..<count {
            instances.append(try await ServerProcess.start(
                executable: LoadRunTests.binaries.appendingPathComponent("doorstep-server"), dataDirectory: "\(dir)/instance-\(i)",
                arguments: ["--database", database, "--enrolment-burst", "1000", "--enrolments-per-second", "1000"],
                environment: ["DOORSTEP_DATA_KEYS": keys], log: "\(dir)/instance-\(i).log"))
        }
        return instances
    }

    func directory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "client-sim-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("devices spread over three instances, switching every sync, are verified")
    func threeInstances() async throws {
        let dir = try directory("instances")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let instances = try await Self.startInstances(3, in: dir)
        defer { for i in instances { i.stop() } }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/instance-1/admin.token"), "only the first instance bootstraps an administrator")
        var scenario = try Scenario.named("conflict-storm")
        scenario.householdsPerVillage = 12
        let configuration = LoadRunConfiguration(devices: 12, scenario: scenario, servers: instances.map(\.url), adminToken: try instances[0].adminToken,
                                                 directory: dir + "/run", seed: 8, concurrency: 12, timeScale: 0)
        let report = try await LoadRun(configuration) { _ in }.run()
        #expect(report.verification.passed, "\(report.verification.failures)")
        #expect(report.servers == 3 && report.syncs >= 12 * 3)
        #expect(report.conflictsOpened > 0 && report.conflictsResolved >= report.conflictsOpened,
                "conflicts made through one instance are listed and resolved through others")
        #expect(report.failovers == 0, "no instance was down")
        for instance in instances { #expect(instance.stop() == 0, "\(instance.url) stops cleanly") }
    }

    /// SIGKILL of one instance while devices bootstrap and push through it: their exchanges go
    /// to the other two, and the verification finds every acknowledged write once.
    @Test("an instance killed mid-sync: the devices finish on the others, nothing lost or applied twice")
    func instanceKilledMidSync() async throws {
        let dir = try directory("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let instances = try await Self.startInstances(3, in: dir)
        defer { for i in instances { i.stop() } }
        let victim = instances[2]
        let killed = Mutex(false)
        var scenario = try Scenario.named("review-season")
        scenario.householdsPerVillage = 40
        scenario.days = 3
        // Modelled network delays keep many exchanges in flight when the kill comes.
        let configuration = LoadRunConfiguration(devices: 15, scenario: scenario, servers: instances.map(\.url), adminToken: try instances[0].adminToken,
                                                 directory: dir + "/run", seed: 13, concurrency: 15, timeScale: 0.05)
        let report = try await LoadRun(configuration) { line in
            guard line.contains("bootstrapping"), killed.withLock({ done in defer { done = true }; return !done }) else { return }
            Task {
                try? await Task.sleep(for: .milliseconds(150))
                victim.kill()
            }
        }.run()
        await victim.child.exited()
        #expect(victim.child.killed(by: SIGKILL), "the instance died by SIGKILL")
        #expect(report.failovers > 0, "exchanges bound for the killed instance went to the others")
        #expect(report.verification.passed, "\(report.verification.failures)")
        #expect(report.verification.acknowledgedWrites > 0 && report.verification.auditedWrites == report.verification.acknowledgedWrites,
                "every acknowledged write is in the audit log exactly once")
        #expect(instances[0].stop() == 0 && instances[1].stop() == 0, "the survivors stop cleanly")
    }
}
