import DataProtection
import FieldModel
import Foundation
import Replica
import SyncClientHTTP

/// The device's photo uploads: after a sync, an `AttachmentUploader` round through the same
/// modelled network; a round a lost request or a cut ends resumes at the next one, from what
/// the server holds.
extension LoadDevice {
    func uploadEvidence(cutChance: Double, timeScale: Double, lossless: Bool = false) async {
        guard !evidence.captured.isEmpty else { return }
        let random = LockedRandom(seed: generator.next())
        let link = ModelledLink(profile: lossless ? profile.lossless : profile, cutChance: lossless ? 0 : cutChance, timeScale: timeScale,
                                random: { random.next() })
        let api = ModelledUploadAPI(inner: HTTPAttachmentUploadAPI(FleetHTTPClient.transport(server, token: token, client: http)),
                                    link: link, clock: uploadClock)
        let report = await AttachmentUploader(replica: replica, api: api).upload()
        evidence.record(report, clock: uploadClock)
    }

    /// Photos still on the phone: queued for upload, whatever their record's standing.
    func photosOnPhone() throws -> [PendingEvidence] { try replica.pendingEvidence() }
}

/// Figures of one device's photos.
struct EvidenceStats: Sendable {
    struct Photo: Sendable, Hashable {
        let sha256: String
        let byteCount: Int64
    }

    /// Every photo taken with a recorded visit, by attachment id.
    private(set) var captured: [RecordID: Photo] = [:]
    private(set) var capturedBytes: Int64 = 0
    /// Bytes of chunks the server took, resent ones included.
    private(set) var bytesSent: Int64 = 0
    private(set) var completed = 0
    private(set) var rounds = 0
    private(set) var interruptedRounds = 0
    private(set) var failures: [String: Int] = [:]
    /// Modelled time from a file's first upload request to the answer that the server holds it.
    private(set) var uploadTimes = LatencyHistogram()

    mutating func took(_ evidence: [Evidence]) {
        for item in evidence {
            guard case .bytes(let bytes) = item.content else { continue }
            captured[item.id] = Photo(sha256: ContentHash.sha256(bytes), byteCount: Int64(bytes.count))
            capturedBytes += Int64(bytes.count)
        }
    }

    mutating func record(_ report: AttachmentUploadReport, clock: UploadClock) {
        rounds += 1
        if report.interruption != nil { interruptedRounds += 1 }
        bytesSent += report.bytesSent
        completed += report.completed.count
        for failure in report.failures { failures[failure.code, default: 0] += 1 }
        for id in report.completed { uploadTimes.record(milliseconds: clock.take(id)) }
    }
}
