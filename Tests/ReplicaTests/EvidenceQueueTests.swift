import DataProtection
import FieldModel
import Foundation
@testable import Replica
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// The upload queue: what waits, when it may go, and that it outlives a restart but not a wipe.
@Suite("Evidence waits for its record's acknowledgement, survives a restart, goes with a wipe")
struct EvidenceQueueTests {
    static let household = Fixture.newHousehold(300)

    /// A device that recorded a visit with two photos; the changes it made.
    static func captured(_ label: String) throws -> (ReplicaHarness, [Change]) {
        let h = try ReplicaHarness.holding(household, label: label)
        let changes = try h.replica.recordVisit(Fixture.newVisit(301, of: household),
                                                evidence: [EvidenceFixture.photo(302), EvidenceFixture.photo(303, size: 4_000)])
        return (h, changes)
    }

    @Test("an upload may start only once the server acknowledged the attachment's change; a refused one never")
    func acknowledgementGatesUpload() throws {
        let (h, changes) = try Self.captured(#function)
        defer { h.finish() }
        #expect(try h.replica.pendingEvidence().allSatisfy { $0.record == .awaitingAcknowledgement && !$0.uploadable })

        // The server acknowledges the visit and the first photo, and refuses the second.
        var server = OtherReplica()
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: [changes[0].dot.counter, changes[1].dot.counter],
                                           rejections: [Rejection(counter: changes[2].dot.counter, reason: "wrong_record", message: "test")]))
        var pending = try h.replica.pendingEvidence()
        #expect(pending.map(\.record) == [.acknowledged, .rejected])
        #expect(pending.map(\.uploadable) == [true, false])

        // The acknowledged states come back in a pull: the change leaves the outbox, the file waits.
        try h.replica.receivePage([server.created(Self.household), RecordState.of([changes[0]]), RecordState.of([changes[1]])], cursor: 12)
        pending = try h.replica.pendingEvidence()
        #expect(try !h.replica.outboxChanges().contains { $0.dot == changes[1].dot })
        #expect(pending.first?.record == .acknowledged && pending.first?.id == changes[1].record.id)
    }

    @Test("a replica reopened after close still has its queue and its files; leftovers no row names are removed")
    func reopenKeepsQueue() throws {
        let (h, _) = try Self.captured(#function)
        defer { h.finish() }
        let before = try h.replica.pendingEvidence()
        let directory = EvidenceFixture.directory(of: h.path)
        // What a crash between a file's write and its commit leaves: a file and a temporary.
        let orphan = ContentHash.sha256([1, 2, 3])
        #expect(FileManager.default.createFile(atPath: directory + "/" + orphan, contents: Data([1, 2, 3])))
        #expect(FileManager.default.createFile(atPath: directory + "/.tmp-" + orphan + "-x", contents: Data([1])))

        try h.reopen()

        #expect(try h.replica.pendingEvidence() == before)
        #expect(EvidenceFixture.names(beside: h.path) == before.map(\.sha256).sorted())
        #expect(try h.replica.evidenceSummary().waiting == 2)
    }

    @Test("a wipe removes the evidence files")
    func wipeRemovesFiles() throws {
        let (h, _) = try Self.captured(#function)
        defer { h.finish() }
        #expect(EvidenceFixture.names(beside: h.path).count == 2)
        try h.replica.wipe()
        #expect(!FileManager.default.fileExists(atPath: EvidenceFixture.directory(of: h.path)))
        #expect(!FileManager.default.fileExists(atPath: h.path))
    }

    @Test("an uploader that gives up leaves the file queued, with its reason, no longer uploadable")
    func givingUp() throws {
        let (h, changes) = try Self.captured(#function)
        defer { h.finish() }
        try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, acked: changes.map(\.dot.counter)))
        try h.replica.markEvidenceFailed(changes[1].record.id, EvidenceFailure(code: "hash_mismatch", message: "twice"))
        let pending = try h.replica.pendingEvidence()
        #expect(pending.map(\.uploadable) == [false, true])
        #expect(pending[0].failure == EvidenceFailure(code: "hash_mismatch", message: "twice"))
        #expect(try h.replica.evidenceSummary().failed == 1)
    }

    @Test("sniffing: of random first bytes, exactly those starting with a JPEG, PNG or PDF signature are taken, as that type")
    func sniffLaw() throws {
        var generator = SeededGenerator(seed: 0xE71D)
        let signatures = AttachmentContentType.allCases.map(\.signature)
        var taken = 0
        for n in 0..<4_000 {
            // Half start as a signature does, cut short or with one byte changed now and then:
            // uniform bytes alone would almost never come near one.
            var bytes: [UInt8] = (0..<Int.random(in: 0...12, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) {
                var signature = signatures.randomElement(using: &generator)!
                if Int.random(in: 0..<3, using: &generator) == 0 { signature[Int.random(in: 0..<signature.count, using: &generator)] &+= 1 }
                if Int.random(in: 0..<3, using: &generator) == 0 { signature = Array(signature.prefix(Int.random(in: 1..<signature.count, using: &generator))) }
                bytes = signature + bytes
            }
            let expected = AttachmentContentType.allCases.first { bytes.starts(with: $0.signature) }
            let evidence = Evidence(id: Fixture.freshID(UInt64(n)), kind: .other, takenOn: Fixture.today, content: .bytes(bytes))
            do {
                let captured = try Replica.capture([evidence], .standard)
                #expect(captured.first?.contentType == expected, "\(bytes) taken as \(String(describing: captured.first?.contentType))")
                taken += 1
            } catch {
                #expect(expected == nil && error.code == .unsupportedContentType, "\(bytes) refused: \(error)")
            }
        }
        #expect(taken > 500 && taken < 3_500, "the sweep should see both outcomes: \(taken) of 4000 taken")
    }

    @Test("size caps: a file is taken up to the file cap, a capture up to its total, to the byte", arguments: [1, 2, 3])
    func sizeLaw(files: Int) throws {
        let limits = EvidenceLimits(fileMaxBytes: 1_000, captureMaxBytes: 2_500)
        var generator = SeededGenerator(seed: UInt64(files))
        for _ in 0..<200 {
            let sizes = (0..<files).map { _ in Int.random(in: 1...1_200, using: &generator) }
            let evidence = sizes.enumerated().map { i, size in
                Evidence(id: Fixture.freshID(UInt64(i)), kind: .homePhoto, takenOn: Fixture.today,
                         content: .bytes(EvidenceFixture.file(.png, size: max(size, 8), seed: UInt64(size))))
            }
            let actual = sizes.map { max($0, 8) }
            let fits = actual.allSatisfy { $0 <= 1_000 } && actual.reduce(0, +) <= 2_500
            let error = refusal { () throws(ReplicaError) in try Replica.capture(evidence, limits) }
            #expect((error == nil) == fits, "\(actual): \(String(describing: error))")
            if let error { #expect(error.code == .fileTooLarge) }
        }
    }

    @Test("evidence from a file the app wrote is read, and a file over the cap is refused by its size")
    func fromFile() throws {
        let h = try ReplicaHarness.holding(Self.household)
        defer { h.finish() }
        let bytes = EvidenceFixture.file(.jpeg, size: 2_048, seed: 310)
        let source = h.directory.file("camera.jpg")
        #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
        let evidence = Evidence(id: Fixture.freshID(311), kind: .homePhoto, takenOn: Fixture.today, content: .file(URL(fileURLWithPath: source)))
        let small = EvidenceLimits(fileMaxBytes: 2_047)
        let refused = refusal { () throws(ReplicaError) in try h.replica.attachEvidence(to: .household(Self.household.id), [evidence], limits: small) }
        #expect(refused?.code == .fileTooLarge)
        try h.replica.attachEvidence(to: .household(Self.household.id), [evidence])
        let queued = try #require(try h.replica.pendingEvidence().first)
        #expect(queued.sha256 == ContentHash.sha256(bytes))
        #expect(FileManager.default.contents(atPath: queued.file.path).map(Array.init) == bytes)
    }
}
