import Foundation
import LoadSimulation
import Testing

/// The review season with photos against the embedded server: photos taken with the review
/// visits go up in chunks through the modelled networks after each sync, and every one a phone
/// let go is served back byte for byte.
@Suite("client-sim's review season with photos")
struct PhotoSeasonTests {
    @Test func photosTakenOnReviewVisitsAreUploadedAndServedExactly() async throws {
        let dir = NSTemporaryDirectory() + "client-sim-photos-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var scenario = try Scenario.named("review-season-photos")
        scenario.householdsPerVillage = 10
        scenario.days = 2
        scenario.writesPerDay = 3
        // A higher cut chance than the scenario's, so rounds are cut and resumed in a short run.
        scenario.cutChance = 0.1
        scenario.strandedShare = 0.1
        let report = try await LoadRun(LoadRunConfiguration(devices: 12, scenario: scenario, directory: dir, seed: 7, concurrency: 8, timeScale: 0)) { _ in }.run()
        #expect(report.verification.passed, "\(report.verification.failures)")
        let photos = try #require(report.evidence)
        #expect(photos.captured > 0 && photos.uploaded > 0, "\(photos)")
        #expect(photos.uploaded + photos.onPhones == photos.captured, "\(photos)")
        #expect(report.verification.photosVerified == photos.uploaded, "every uploaded photo was fetched back and matched")
        #expect(report.verification.photosOnPhones.values.reduce(0, +) == photos.onPhones)
        #expect(photos.capturedBytesPerDeviceMax >= photos.capturedBytesPerDevice && photos.capturedBytesPerDevice > 0)
        #expect(photos.sentBytesPerDevice > 0)
        let onDisk = try #require(photos.serverAttachmentBytes, "the server reports the files it keeps")
        #expect(onDisk > 0 && onDisk <= photos.capturedBytes, "\(onDisk) bytes kept of \(photos.capturedBytes) taken")
        #expect(!photos.uploadMilliseconds.isEmpty && photos.uploadMilliseconds.values.allSatisfy { $0.p50 > 0 && $0.p99 >= $0.p50 })
        #expect(photos.uploadRounds > 0)
    }
}
