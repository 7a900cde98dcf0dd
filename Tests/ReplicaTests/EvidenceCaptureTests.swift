import DataProtection
import FieldModel
import Foundation
import GRDB
@testable import Replica
import SyncCore
import SyncProtocol
import Testing

/// Evidence is recorded with its visit in one transaction: the records, the upload queue rows
/// and the files beside the database all exist, or none does.
@Suite("Evidence is captured with its visit, atomically")
struct EvidenceCaptureTests {
    static let household = Fixture.newHousehold(200)
    static let member = Fixture.newMember(201, of: household)

    /// A device holding the household, with the member added on it.
    static func holdingMember(label: String = #function) throws -> ReplicaHarness {
        let h = try ReplicaHarness.holding(household, label: label)
        try h.replica.addMember(member)
        return h
    }

    @Test("a visit with two photos and a member's document: one write, consecutive counters, files named by their hash")
    func visitWithEvidence() throws {
        let h = try Self.holdingMember()
        defer { h.finish() }
        let visit = Fixture.newVisit(202, of: Self.household)
        let pdf = Evidence(id: Fixture.freshID(205), kind: .documentPhoto, takenOn: Fixture.today, memberID: Self.member.id,
                           content: .bytes(EvidenceFixture.file(.pdf, size: 9_000, seed: 205)))
        let evidence = [EvidenceFixture.photo(203), EvidenceFixture.photo(204, size: 5_000), pdf]
        let before = try h.replica.lastCounter()

        let changes = try h.replica.recordVisit(visit, evidence: evidence)

        #expect(changes.map(\.record.id) == [visit.id] + evidence.map(\.id))
        #expect(changes.map(\.dot.counter) == Array(before + 1...before + 4))
        let visitView = try #require(try h.replica.record(.attachment, evidence[0].id))
        let onVisit = try FieldModel.Attachment(id: evidence[0].id, village: visit.village, fields: visitView.values)
        #expect(onVisit.visitID == visit.id && onVisit.householdID == Self.household.id && onVisit.memberID == nil)
        #expect(onVisit.contentType == .jpeg && onVisit.byteCount == 3_000)
        let onMember = try FieldModel.Attachment(id: pdf.id, village: visit.village, fields: try #require(try h.replica.record(.attachment, pdf.id)).values)
        #expect(onMember.memberID == Self.member.id && onMember.visitID == nil && onMember.contentType == .pdf)

        let pending = try h.replica.pendingEvidence()
        #expect(pending.map(\.id) == evidence.map(\.id))
        for (item, queued) in zip(evidence, pending) {
            let bytes = EvidenceFixture.bytes(of: item)
            #expect(queued.sha256 == ContentHash.sha256(bytes))
            #expect(queued.byteCount == Int64(bytes.count))
            #expect(queued.file.lastPathComponent == queued.sha256)
            #expect(FileManager.default.contents(atPath: queued.file.path).map(Array.init) == bytes)
            #expect(queued.record == .awaitingAcknowledgement && !queued.uploadable)
        }
        #expect(EvidenceFixture.names(beside: h.path) == pending.map(\.sha256).sorted())
        let summary = try h.replica.evidenceSummary()
        #expect(summary == EvidenceSummary(waiting: 3, bytes: 17_000, oldestCreatedMilliseconds: Fixture.now, failed: 0))
    }

    enum Refused: String, CaseIterable, CustomTestStringConvertible {
        case gif, empty, fileOverCap, captureOverCap, recusal, memberOfAnotherHousehold, unknownHousehold
        var testDescription: String { rawValue }
    }

    @Test("a refused file or attachment leaves neither the visit, nor a file, nor a queue row", arguments: Refused.allCases)
    func refusalLeavesNothing(_ refused: Refused) throws {
        let h = try ReplicaHarness.holding(Self.household, label: "refused-\(refused)")
        defer { h.finish() }
        var visit = Fixture.newVisit(210, of: Self.household)
        let limits = EvidenceLimits(fileMaxBytes: 10_000, captureMaxBytes: 16_000)
        var evidence = [EvidenceFixture.photo(211, size: 6_000)]
        let expected: ReplicaError.Code
        switch refused {
        case .gif:
            evidence.append(Evidence(id: Fixture.freshID(212), kind: .homePhoto, takenOn: Fixture.today,
                                     content: .bytes(EvidenceFixture.file(nil, size: 500, seed: 212, prefix: EvidenceFixture.gifSignature))))
            expected = .unsupportedContentType
        case .empty:
            evidence.append(Evidence(id: Fixture.freshID(212), kind: .signature, takenOn: Fixture.today, content: .bytes([])))
            expected = .unsupportedContentType
        case .fileOverCap:
            evidence.append(EvidenceFixture.photo(212, size: 10_001))
            expected = .fileTooLarge
        case .captureOverCap:
            evidence += [EvidenceFixture.photo(212, size: 6_000), EvidenceFixture.photo(213, size: 4_001)]
            expected = .fileTooLarge
        case .recusal:
            // The visit itself passes (a screening visit is not an eligibility assessment); its
            // evidence does not: the files were already written when the checks refused.
            var server = OtherReplica()
            let filing = RelativeFiling(id: Fixture.freshID(219), village: Fixture.villageA, staff: Fixture.assistant.id,
                                        household: Self.household.id, relation: .spouse, filedOn: Fixture.today)
            try h.replica.receivePage([server.created(Self.household), server.created(filing)], cursor: 11)
            expected = .ruleViolation
        case .memberOfAnotherHousehold:
            let other = Fixture.newHousehold(214)
            try h.replica.createHousehold(other)
            let stranger = Fixture.newMember(215, of: other)
            try h.replica.addMember(stranger)
            evidence.append(EvidenceFixture.photo(216, member: stranger.id))
            expected = .inconsistent
        case .unknownHousehold:
            visit = Fixture.newVisit(210, of: Fixture.newHousehold(217))
            expected = .notFound
        }
        let before = try ReplicaSnapshot.of(h.replica)

        let error = refusal { () throws(ReplicaError) in try h.replica.recordVisit(visit, evidence: evidence, limits: limits) }

        #expect(error?.code == expected, "\(String(describing: error))")
        #expect(try ReplicaSnapshot.of(h.replica) == before)
        #expect(try h.replica.record(.visit, visit.id) == nil)
        #expect(try h.replica.pendingEvidence().isEmpty)
        #expect(EvidenceFixture.names(beside: h.path).isEmpty, "files left: \(EvidenceFixture.names(beside: h.path))")
    }

    @Test("evidence attached alone: to a household, a member, a visit, a lead; an unknown parent is refused")
    func attachAlone() throws {
        let h = try Self.holdingMember()
        defer { h.finish() }
        let visit = Fixture.newVisit(220, of: Self.household)
        try h.replica.recordVisit(visit)
        let lead = Fixture.newLead(221)
        try h.replica.registerLead(lead)

        try h.replica.attachEvidence(to: .household(Self.household.id), [EvidenceFixture.photo(222)])
        try h.replica.attachEvidence(to: .member(Self.member.id), [EvidenceFixture.photo(223, kind: .documentPhoto)])
        try h.replica.attachEvidence(to: .visit(visit.id), [EvidenceFixture.photo(224, kind: .signature)])
        try h.replica.attachEvidence(to: .lead(lead.id), [EvidenceFixture.photo(225)])

        func attachment(_ n: UInt64) throws -> FieldModel.Attachment {
            let state = try #require(try h.replica.record(.attachment, Fixture.freshID(n)))
            return try FieldModel.Attachment(id: state.key.id, village: state.key.scope, fields: state.values)
        }
        func parent(_ n: UInt64) throws -> RecordKey? {
            try attachment(n).parent.map { RecordKey($0.collection, $0.id, scope: Fixture.villageA) }
        }
        #expect(try parent(222) == RecordKey(.household, Self.household.id, scope: Fixture.villageA))
        #expect(try parent(223) == RecordKey(.member, Self.member.id, scope: Fixture.villageA))
        #expect(try parent(224) == RecordKey(.visit, visit.id, scope: Fixture.villageA))
        #expect(try parent(225) == RecordKey(.discoveryLead, lead.id, scope: Fixture.villageA))
        #expect(try attachment(225).householdID == nil)
        #expect(try h.replica.pendingEvidence().count == 4)

        let error = refusal { () throws(ReplicaError) in try h.replica.attachEvidence(to: .member(Fixture.freshID(226)), [EvidenceFixture.photo(227)]) }
        #expect(error?.code == .notFound)
        #expect(try h.replica.pendingEvidence().count == 4)
        #expect(EvidenceFixture.names(beside: h.path).count == 4)
    }

    @Test("the same bytes attached twice are one file, kept until the last of them is uploaded")
    func sameBytesOneFile() throws {
        let h = try ReplicaHarness.holding(Self.household)
        defer { h.finish() }
        let first = EvidenceFixture.photo(230)
        var second = EvidenceFixture.photo(230)
        second.id = Fixture.freshID(231)
        try h.replica.recordVisit(Fixture.newVisit(232, of: Self.household), evidence: [first])
        try h.replica.attachEvidence(to: .household(Self.household.id), [second])
        #expect(EvidenceFixture.names(beside: h.path).count == 1)

        try h.replica.markEvidenceUploaded(first.id)
        #expect(try h.replica.pendingEvidence().map(\.id) == [second.id])
        #expect(EvidenceFixture.names(beside: h.path).count == 1, "the second attachment still needs the file")
        try h.replica.markEvidenceUploaded(second.id)
        try h.replica.markEvidenceUploaded(second.id)
        #expect(try h.replica.pendingEvidence().isEmpty)
        #expect(EvidenceFixture.names(beside: h.path).isEmpty)
    }

    @Test("a file goes only after its queue row's removal committed: a commit that fails keeps both")
    func fileGoesAfterCommit() throws {
        let h = try ReplicaHarness.holding(Self.household)
        defer { h.finish() }
        let photo = EvidenceFixture.photo(240)
        try h.replica.recordVisit(Fixture.newVisit(241, of: Self.household), evidence: [photo])
        // A row that still names the attachment at commit (a deferred foreign key) fails the
        // commit after the queue row's DELETE ran: the moment a kill before the commit is.
        let other = try DatabaseQueue(path: h.path)
        try other.write { db in
            try db.execute(sql: """
                CREATE TABLE still_needed (attachment_id BLOB REFERENCES evidence_uploads (attachment_id) DEFERRABLE INITIALLY DEFERRED);
                INSERT INTO still_needed VALUES (?)
                """, arguments: [Data(photo.id.bytes)])
        }
        let replica = h.replica
        let failed = refusal { () throws(ReplicaError) in try replica.markEvidenceUploaded(photo.id) }
        #expect(failed?.message.contains("FOREIGN KEY") == true, "\(String(describing: failed))")
        #expect(try h.replica.pendingEvidence().map(\.id) == [photo.id])
        #expect(EvidenceFixture.names(beside: h.path).count == 1, "the queued photo's file is still there")

        try other.write { db in try db.execute(sql: "DROP TABLE still_needed") }
        try other.close()
        try h.replica.markEvidenceUploaded(photo.id)
        #expect(try h.replica.pendingEvidence().isEmpty)
        #expect(EvidenceFixture.names(beside: h.path).isEmpty)
    }
}
