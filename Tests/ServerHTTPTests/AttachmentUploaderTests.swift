import DataProtection
import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// The uploader against the server's upload rules (the engine's `AttachmentUploads` over bytes
/// in memory): chunks within both limits, resumption after cuts at every point, another
/// device's chunk landing first, and a file that does not hash to its record.
@Suite("The attachment uploader sends evidence in chunks and resumes where the server stopped")
struct AttachmentUploaderTests {
    static let worker = HTTPFixture.assistant(HTTPFixture.villageA)

    /// A device that created a household and recorded a visit with two photos (sizes `sizes`),
    /// its changes acknowledged unless `acknowledged` is false, and an API over the engine's
    /// rules holding the attachment records.
    final class Stage {
        let directory = NSTemporaryDirectory() + "doorstep-uploader-\(UUID().uuidString)"
        let replica: Replica
        let api: EngineUploadAPI
        let evidence: [Evidence]

        init(sizes: [Int] = [5_000, 3_333], serverChunk: Int = 700, acknowledged: Bool = true, seed: UInt64 = 1,
             faults: [Int: EngineUploadAPI.Fault] = [:]) async throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let identity = DeviceIdentity(replica: ReplicaID(0x0AB1_0000_0000_0001), worker: AttachmentUploaderTests.worker, deviceID: "uploader-test")
            replica = try Replica(path: directory + "/device.sqlite", identity: identity, wallClock: { HTTPFixture.now })
            let village = HTTPFixture.villageA
            let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: HTTPFixture.now)
            let household = Household(id: RecordID(high: 0x0193_0000_0000_7000 | seed << 16, low: 0x8000_0000_0000_0000 | seed), village: village,
                                      headName: "张建国", headIDNumber: IDCardNumber.make(region: village.county, birth: CalendarDate(year: 1970, month: 3, day: 8)!,
                                                                                         sequence: Int(seed % 1000)),
                                      addressDetail: "一组", phone: "13800138000", category: .ruralDibao, classification: .stable, status: .applied,
                                      monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: 80_000, assetsFen: 500_000, appliedOn: today,
                                      coveredSince: nil, lastReviewedOn: nil, notes: "")
            try replica.createHousehold(household)
            let visit = Visit(id: RecordID(high: household.id.high, low: household.id.low + 1), householdID: household.id, village: household.village,
                              kind: .screening, worker: AttachmentUploaderTests.worker.id, date: today,
                              monthlyIncomeFen: 70_000, assetsFen: 0, livingCondition: .difficult, recommendation: .none, notes: "")
            var generator = SeededGenerator(seed: seed)
            evidence = sizes.enumerated().map { i, size in
                Evidence(id: RecordID(high: household.id.high, low: household.id.low + 2 + UInt64(i)), kind: .homePhoto, takenOn: visit.date,
                         content: .bytes(AttachmentContentType.jpeg.signature + (3..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            }
            let changes = try replica.recordVisit(visit, evidence: evidence)
            api = EngineUploadAPI(worker: AttachmentUploaderTests.worker, chunkMaxBytes: serverChunk, faults: faults)
            for item in evidence { await api.store.hold(try #require(try replica.record(.attachment, item.id))) }
            if acknowledged {
                _ = try replica.apply(SyncResponse(serverTimeMilliseconds: HTTPFixture.now, acked: changes.map(\.dot.counter)))
            }
        }

        func uploader(chunk: Int = 1_000) -> AttachmentUploader { AttachmentUploader(replica: replica, api: api, chunkMaxBytes: chunk) }

        func bytes(_ item: Evidence) -> [UInt8] {
            guard case .bytes(let bytes) = item.content else { return [] }
            return bytes
        }

        /// The server holds every file, byte for byte, and the device none.
        func expectAllUploaded(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            for item in evidence {
                #expect(await api.store.file(ContentHash.sha256(bytes(item))) == bytes(item), sourceLocation: sourceLocation)
            }
            #expect(try replica.pendingEvidence().isEmpty, sourceLocation: sourceLocation)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: replica.path + ".evidence")) ?? []).isEmpty, sourceLocation: sourceLocation)
        }

        func finish() {
            try? replica.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("every file in chunks of the smaller limit, then the device lets it go")
    func uploadsInChunks() async throws {
        let stage = try await Stage()
        defer { stage.finish() }
        let report = await stage.uploader().upload()
        #expect(report.interruption == nil && report.failures.isEmpty, "\(report)")
        #expect(Set(report.completed) == Set(stage.evidence.map(\.id)))
        #expect(report.bytesSent == 8_333)
        // 700-byte chunks (the server's limit is below the device's 1000): 8 + 5.
        #expect(report.chunksSent == 8 + 5 && stage.api.putCount == 13)
        try await stage.expectAllUploaded()
        #expect(await stage.uploader().upload() == AttachmentUploadReport())
    }

    @Test("nothing is sent before the server acknowledged the attachment records")
    func waitsForAcknowledgement() async throws {
        let stage = try await Stage(acknowledged: false)
        defer { stage.finish() }
        let report = await stage.uploader().upload()
        #expect(report.awaitingAcknowledgement == 2 && report.chunksSent == 0 && stage.api.putCount == 0)
        #expect(try stage.replica.pendingEvidence().count == 2)
    }

    @Test("a connection cut at any call, before the server or after it (the answer lost), resumes from the server's received",
          arguments: 0..<60)
    func resumesAfterCuts(run: Int) async throws {
        var generator = SeededGenerator(seed: UInt64(run) + 100)
        let stage = try await Stage(sizes: [Int.random(in: 1_500...6_000, using: &generator), Int.random(in: 8...2_500, using: &generator)],
                                    serverChunk: Int.random(in: 200...900, using: &generator), seed: UInt64(run))
        defer { stage.finish() }
        var rounds = 0, cuts = 0, sent: Int64 = 0
        while try !stage.replica.pendingEvidence().isEmpty {
            rounds += 1
            try #require(rounds < 40, "run \(run) did not finish")
            // Each round, a cut at a random call (most rounds), before or after the server.
            if Int.random(in: 0..<4, using: &generator) > 0 {
                stage.api.setFaults([Int.random(in: 0..<12, using: &generator): Bool.random(using: &generator) ? .cutBefore : .cutAfter])
            } else {
                stage.api.setFaults([:])
            }
            let report = await stage.uploader(chunk: Int.random(in: 150...1_000, using: &generator)).upload()
            #expect(report.failures.isEmpty, "\(report.failures)")
            if report.interruption != nil { cuts += 1 }
            sent += report.bytesSent
        }
        try await stage.expectAllUploaded()
        #expect(cuts >= 1 || rounds == 1)
        // A chunk whose answer was lost counts as not sent, so at most the file's size is counted.
        #expect(sent <= stage.evidence.reduce(0) { $0 + Int64(stage.bytes($1).count) })
    }

    @Test("another device's chunk landing first: offset_mismatch, resumed from the answer's received in the same round")
    func offsetMismatch() async throws {
        let stage = try await Stage(faults: [2: .otherDeviceFirst, 5: .otherDeviceFirst, 6: .otherDeviceFirst])
        defer { stage.finish() }
        let report = await stage.uploader().upload()
        #expect(report.interruption == nil && report.failures.isEmpty, "\(report)")
        #expect(report.completed.count == 2)
        // Three of its chunks were refused as `offset_mismatch` (the other device's landed first).
        #expect(stage.api.putCount == report.chunksSent + 3)
        try await stage.expectAllUploaded()
    }

    @Test("a file that does not hash to its record: sent again from 0 once, then given up with the reason kept")
    func hashMismatch() async throws {
        let stage = try await Stage(sizes: [2_000, 1_000])
        defer { stage.finish() }
        // The first file damaged on the device after it was recorded (same size and first bytes).
        let damaged = try #require(try stage.replica.pendingEvidence().first { $0.id == stage.evidence[0].id })
        var bytes = stage.bytes(stage.evidence[0])
        bytes[1_500] ^= 0xFF
        try Data(bytes).write(to: damaged.file)

        let report = await stage.uploader().upload()

        #expect(report.failures.map(\.code) == ["hash_mismatch"] && report.failures.first?.gaveUp == true, "\(report)")
        #expect(report.completed == [stage.evidence[1].id])
        // 2000 bytes in 700-byte chunks, twice; then the second file's 2 chunks.
        #expect(stage.api.putCount == 3 + 3 + 2)
        let left = try stage.replica.pendingEvidence()
        #expect(left.map(\.id) == [stage.evidence[0].id] && left.first?.failure?.code == "hash_mismatch" && left.first?.uploadable == false)
        #expect(await stage.uploader().upload().chunksSent == 0)
    }
}
