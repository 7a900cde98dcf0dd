import DataProtection
import FieldModel
import Foundation
import Replica
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyntheticData
import Synchronization
import Testing

/// Evidence end to end over real HTTP: a device records a visit with two photos, syncs, and
/// uploads them in small chunks through connections cut at random points — between chunks and
/// in the middle of a request — until the server serves both files byte for byte.
@Suite("Evidence over HTTP: recorded with a visit, synced, uploaded through cut connections, served exactly")
struct AttachmentUploadHTTPTests {
    /// One upload round run as a task that is cancelled (its connection cut) once `cutAfter`
    /// chunks went through, after a random pause so the cut may land inside the next request.
    final class CutRound: Sendable {
        private let state = Mutex<(chunks: Int, task: Task<AttachmentUploadReport, Never>?)>((0, nil))
        let cutAfter: Int
        let pauseNanoseconds: UInt64

        init(cutAfter: Int, pauseNanoseconds: UInt64) {
            self.cutAfter = cutAfter
            self.pauseNanoseconds = pauseNanoseconds
        }

        func run(_ uploader: AttachmentUploader) async -> AttachmentUploadReport {
            var uploader = uploader
            uploader.onChunk = { _, _ in self.chunkSent() }
            let task = Task { await uploader.upload() }
            state.withLock { $0.task = task }
            return await task.value
        }

        private func chunkSent() {
            let cut: Task<AttachmentUploadReport, Never>? = state.withLock { s in
                s.chunks += 1
                return s.chunks == cutAfter ? s.task : nil
            }
            guard let cut else { return }
            let pause = pauseNanoseconds
            Task.detached {
                try? await Task.sleep(nanoseconds: pause)
                cut.cancel()
            }
        }
    }

    @Test("six devices' photos through at least fifty cuts in all, then GET …/content returns every one exactly")
    func uploadThroughCuts() async throws {
        // Hundreds of 1 KB chunks: far over a device's request budget on a clock that stands still.
        var limits = ServerLimits()
        limits.deviceBurst = 100_000
        try await Deployment.with(limits: limits) { d in
            try await d.seed(HTTPFixture.villageA)
            var cuts = 0
            for run in 0..<6 { cuts += try await Self.uploadThroughCuts(d, run: run) }
            #expect(cuts >= 50, "\(cuts) cuts in all")
        }
    }

    /// A device records a visit with two photos, syncs, uploads through cut rounds until the
    /// queue is empty, and fetches both files back; returns how many rounds were cut.
    static func uploadThroughCuts(_ d: Deployment, run: Int) async throws -> Int {
        let village = HTTPFixture.villageA
        let device = try await d.enrol(HTTPFixture.assistant(village, run + 1), replica: 0xE7_0000 + UInt64(run))
        try await device.syncOK()
        var generator = SeededGenerator(seed: 0xE2E0 + UInt64(run))
        let household = HTTPFixture.households(in: village)[run]
        let today = try device.replica.today()
        let visit = Visit(id: RecordID(milliseconds: d.clock.now, using: &generator), householdID: household.id, village: village,
                          kind: .screening, worker: device.identity.worker.id, date: today, monthlyIncomeFen: 70_000, assetsFen: 0,
                          livingCondition: .difficult, recommendation: .none, notes: "入户照片")
        var photos: [[UInt8]] = [], evidence: [Evidence] = []
        for _ in 0..<2 {
            let size = Int.random(in: 20_000...40_000, using: &generator)
            photos.append(AttachmentContentType.jpeg.signature + (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
            evidence.append(Evidence(id: RecordID(milliseconds: d.clock.now, using: &generator), kind: .homePhoto, takenOn: today,
                                     content: .bytes(photos.last!)))
        }
        try device.replica.recordVisit(visit, evidence: evidence)
        let api = HTTPAttachmentUploadAPI(device.transport)

        // Before the sync the server holds no attachment record: nothing is sent.
        let early = await AttachmentUploader(replica: device.replica, api: api).upload()
        #expect(early.awaitingAcknowledgement == 2 && early.chunksSent == 0, "\(early)")
        try await device.syncOK()
        #expect(try device.replica.pendingEvidence().allSatisfy(\.uploadable))

        var rounds = 0, cuts = 0
        while try !device.replica.pendingEvidence().isEmpty {
            rounds += 1
            try #require(rounds < 300, "run \(run): still uploading after \(rounds) rounds")
            let round = CutRound(cutAfter: Int.random(in: 1...6, using: &generator),
                                 pauseNanoseconds: UInt64.random(in: 0...2_000_000, using: &generator))
            let report = await round.run(AttachmentUploader(replica: device.replica, api: api, chunkMaxBytes: 1_024))
            #expect(report.failures.isEmpty, "\(report.failures)")
            if report.interruption != nil { cuts += 1 }
        }

        for (item, bytes) in zip(evidence, photos) {
            let answer = try await d.raw("GET", "/v1/attachments/\(item.id)/content", token: device.token)
            #expect(answer.status == 200)
            #expect(answer.body == bytes, "attachment \(item.id): \(answer.body.count) bytes served, \(bytes.count) taken")
            #expect(answer.headers["etag"] == "\"\(ContentHash.sha256(bytes))\"")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: device.replica.path + ".evidence")) ?? []
        #expect(left.isEmpty, "files left on the device: \(left)")
        return cuts
    }
}
