import FieldModel
import Foundation
import Replica
import ServerHTTP
import ServerOps
import SyncClientHTTP
import SyncCore
import SyntheticData
import Testing

/// Ops sees evidence still on phones (SPEC §15, ops): a device reports the files it has not
/// uploaded with every sync; the overview and /metrics count them, an alert stands once the
/// oldest is older than the threshold, and both clear once the files are uploaded.
@Suite("Evidence still on phones, as ops sees it")
struct EvidenceHealthTests {
    static func overview(_ d: Deployment) async throws -> OpsOverview {
        let r = try await d.raw("GET", "/v1/ops/overview", token: d.adminToken)
        try #require(r.status == 200, "\(r.status)")
        return try JSONDecoder().decode(OpsOverview.self, from: Data(r.body))
    }

    static func gauge(_ d: Deployment, _ name: String) async throws -> Double? {
        let r = try await d.raw("GET", "/metrics", token: d.adminToken)
        let line = String(decoding: r.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func photosNotUploadedAreCountedAlertedAndClearedOnceSent() async throws {
        var limits = ServerLimits()
        limits.deviceBurst = 10_000
        try await Deployment.with(limits: limits) { d in
            let village = HTTPFixture.villageA
            try await d.seed(village)
            let device = try await d.enrol(HTTPFixture.assistant(village), replica: 0xEE01)
            try await device.syncOK()
            var generator = SeededGenerator(seed: 0xEE01)
            let today = try device.replica.today()
            let visit = Visit(id: RecordID(milliseconds: d.clock.now, using: &generator), householdID: HTTPFixture.households(in: village)[0].id,
                              village: village, kind: .screening, worker: device.identity.worker.id, date: today, monthlyIncomeFen: 0,
                              assetsFen: 0, livingCondition: .adequate, recommendation: .none, notes: "")
            let photos = (0..<3).map { n in AttachmentContentType.jpeg.signature + [UInt8](repeating: UInt8(n), count: 5_000 + n) }
            let taken = d.clock.now
            try device.replica.recordVisit(visit, evidence: photos.map {
                Evidence(id: RecordID(milliseconds: d.clock.now, using: &generator), kind: .homePhoto, takenOn: today, content: .bytes($0))
            })
            let bytes = Int64(photos.map(\.count).reduce(0, +))
            try await device.syncOK()
            var seen = try await Self.overview(d)
            #expect(seen.summary.evidenceWaiting == 3 && seen.summary.evidenceWaitingBytes == bytes)
            #expect(seen.summary.oldestEvidenceMilliseconds == taken)
            #expect(!seen.alerts.contains { $0.kind == .evidenceOnPhone })
            #expect(try await Self.gauge(d, "doorstep_evidence_on_phones") == 3)

            // Four days later, still not uploaded (no signal at the house): an alert for the device.
            d.clock.advance(by: 4 * 86_400_000)
            try await device.syncOK()
            seen = try await Self.overview(d)
            let alert = try #require(seen.alerts.first { $0.kind == .evidenceOnPhone })
            #expect(alert.subject == device.deviceID && alert.sinceMilliseconds == taken && alert.detail.contains("3"))
            #expect(try await Self.gauge(d, "doorstep_oldest_evidence_on_phone_age_seconds") ?? 0 >= 4 * 86_400)

            let report = await AttachmentUploader(replica: device.replica, api: HTTPAttachmentUploadAPI(device.transport)).upload()
            #expect(report.completed.count == 3 && report.failures.isEmpty, "\(report)")
            try await device.syncOK()
            d.clock.advance(by: 60_000)
            seen = try await Self.overview(d)
            #expect(seen.summary.evidenceWaiting == 0 && seen.summary.oldestEvidenceMilliseconds == nil)
            #expect(!seen.alerts.contains { $0.kind == .evidenceOnPhone })
            #expect(try await Self.gauge(d, "doorstep_evidence_on_phones") == 0)
            #expect(try await Self.gauge(d, "doorstep_attachment_files") == 3)
        }
    }
}
