import Foundation
import LoadSimulation
import Testing

@Suite("Virtual devices measure a real server and verify what it acknowledged and served", .serialized)
struct VirtualFleetTests {
    static let binaries = ChildProcess.siblings

    @Test func aFleetBootstrapsSyncsInBothLoopsAndVerifies() async throws {
        let dir = NSTemporaryDirectory() + "virtual-fleet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await ServerProcess.start(executable: Self.binaries.appendingPathComponent("doorstep-server"), dataDirectory: dir + "/server",
                                                   arguments: ["--enrolment-burst", "1000", "--enrolments-per-second", "1000", "--rate-burst", "1000",
                                                               "--rate-per-second", "1000"], log: dir + "/server.log")
        defer { server.stop() }
        let fleet = try await VirtualFleet.enrol(devices: 24, server: server.url, adminToken: try server.adminToken, seed: 4)
        #expect(fleet.count == 24)

        let bootstrap = await fleet.bootstrap()
        #expect(bootstrap.errors == 0, "\(bootstrap.errorSamples)")
        #expect(bootstrap.recordsPulled > 0 && bootstrap.changesPushed == 0, "a bootstrap pulls and writes nothing")

        let closed = await fleet.closedLoop(for: .seconds(2))
        #expect(closed.errors == 0, "\(closed.errorSamples)")
        #expect(closed.exchanges >= 24 && closed.changesAcknowledged > 0)

        let open = await fleet.openLoop(rate: 20, for: .seconds(2))
        #expect(open.errors == 0, "\(open.errorSamples)")
        #expect(open.exchanges == 40, "every scheduled exchange ran")
        #expect(open.latencyMilliseconds.p99 >= open.latencyMilliseconds.p50 && open.generatorCPUSeconds > 0)

        let health = await fleet.healthCeiling(rate: 50, for: .seconds(1))
        #expect(health.errors == 0 && health.exchanges == 50)

        let verification = try await fleet.verify()
        #expect(verification.passed, "\(verification.failures)")
        #expect(verification.acknowledged == closed.changesAcknowledged + open.changesAcknowledged)
        #expect(verification.audited == verification.acknowledged, "every acknowledged dot once in the audit log")
        #expect(verification.digestsCompared >= 24, "every device compared its villages' digests")

        // With the server gone every exchange fails, and the step's line says with what.
        _ = server.stop()
        let refused = await fleet.openLoop(rate: 20, for: .seconds(1))
        #expect(refused.errors == refused.exchanges && refused.errors > 0)
        let first = try #require(refused.errorSamples.first)
        #expect(refused.summary.contains("first errors: " + first.prefix(200)), "\(refused.summary)")
    }

    /// The HDR histogram's percentiles against the nearest-rank percentiles of the sorted samples.
    @Test(arguments: [1, 7, 100, 5_000])
    func histogramPercentilesMatchSortedSamples(count: Int) {
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<count).map { _ in Double.random(in: 0.05...60_000, using: &generator) }
        var histogram = LatencyHistogram()
        for s in samples { histogram.record(milliseconds: s) }
        let sorted = samples.sorted()
        for q in [50.0, 95, 99, 100] {
            let exact = sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * q / 100).rounded(.up)) - 1))]
            let measured = histogram.milliseconds(atPercentile: q)
            #expect(abs(measured - exact) <= max(0.002, exact * 0.002), "p\(q) of \(count): \(measured) vs \(exact)")
        }
        #expect(histogram.count == count)
        var merged = LatencyHistogram()
        merged.add(histogram)
        #expect(merged.percentiles.p99 == histogram.percentiles.p99 && merged.count == count)
    }
}
