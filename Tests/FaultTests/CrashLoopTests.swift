import Foundation
import LoadSimulation
import Testing

/// Real `doorstep-device` and `doorstep-server` processes killed at random instants and
/// restarted on the same files, at a CI-sized count; `client-sim crash-loop --cycles 1000
/// --photos-per-visit 2` is the soak. Visits carry photos uploaded in 2 KB chunks after each
/// sync, so many kills of either process land in the middle of an upload.
@Suite("Crash loops with real processes", .serialized)
struct CrashLoopTests {
    @Test func devicesAndTheServerKilledAtRandomLoseNothingAndApplyNothingTwice() async throws {
        let dir = try scratchDirectory("crash-loop")
        var configuration = CrashLoopConfiguration(cycles: 40, directory: dir, binaries: binaries)
        configuration.seed = 7
        // Higher than the soak's, so that a short run still loses responses to the server's crashes.
        configuration.serverCrashAfterCommit = 0.15
        configuration.serverKillChance = 0.25
        configuration.photosPerVisit = 2
        let report = try await CrashLoop(configuration).run { _ in }
        #expect(report.passed, "\(report)")
        #expect(report.deviceKills >= 30, "most device processes were killed while running: \(report)")
        #expect(report.committedWrites > 0 && report.writesOnServer >= report.committedWrites, "\(report)")
        #expect(report.serverCrashesAfterCommit + report.serverKills > 0, "the server died at least once: \(report)")
        #expect(report.photosTaken > 0 && report.photosOnServer == report.photosTaken, "every photo taken is on the server by hash: \(report)")
        #expect(report.deviceKillsDuringUpload > 0, "some device processes were killed in the middle of an upload: \(report)")
        if report.passed { try? FileManager.default.removeItem(atPath: dir) }
    }
}
