import DataProtection
import FieldModel
import Foundation
import ServerEngine
import SyncCore
import SyntheticData
import Testing

/// The `AttachmentStore` contract on every backend: resumable uploads, the offset and whole-hash
/// checks, reads of any range, per-hash turns, garbage collection, and durability across reopening.
@Suite("AttachmentStore")
struct AttachmentStoreTests {
    /// Wall-clock milliseconds: what the stores stamp bytes with.
    static var wallNow: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test("an upload cut at 60 random offsets resumes from what is held and reads back whole and in any range", arguments: StoreBackend.all)
    func resumedUpload(backend: StoreBackend) async throws {
        let seed = UInt64.random(in: .min ... .max)
        var random = SeededGenerator(seed: seed)
        let file = AttachmentFixture.jpeg(Int.random(in: 300_000...600_000, using: &random), &random)
        let sha256 = ContentHash.sha256(file), size = Int64(file.count)
        let cuts = Set((0..<60).map { _ in Int64.random(in: 1..<size, using: &random) })
        try await withAttachmentStore(backend) { store in
            var offset: Int64 = 0, resumes = 0
            var outcome = AppendOutcome.held(0)
            while outcome != .completed {
                // The chunk stops at the next cut: the connection drops there.
                let nextCut = cuts.filter { $0 > offset }.min() ?? size
                let end = min(offset + Int64.random(in: 1...40_000, using: &random), nextCut)
                let chunk = Array(file[Int(offset)..<Int(end)])
                outcome = try await store.appendBytes(sha256: sha256, byteCount: size, offset: offset, chunk: chunk)
                if end == size {
                    #expect(outcome == .completed, "seed \(seed)")
                } else {
                    #expect(outcome == .held(end), "seed \(seed)")
                }
                guard end == nextCut, end < size else { offset = end; continue }
                // After the cut the device lost the answer: it re-sends the chunk, is told where
                // the bytes end, and asks the state before it goes on.
                #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: offset, chunk: chunk) == .offsetMismatch(held: .partial(end)))
                let held = try await store.heldBytes(sha256: sha256)
                #expect(held == .partial(end), "seed \(seed)")
                #expect(try await store.readBytes(sha256: sha256, range: 0..<1) == nil, "a partial file is not readable")
                offset = held.length
                resumes += 1
            }
            #expect(resumes >= 50, "seed \(seed): the upload was cut \(resumes) times")
            #expect(try await store.heldBytes(sha256: sha256) == .complete(size))
            #expect(try await store.readBytes(sha256: sha256, range: 0..<size) == file, "seed \(seed)")
            for _ in 0..<40 {
                let lower = Int64.random(in: 0..<size, using: &random), upper = Int64.random(in: (lower + 1)...size, using: &random)
                #expect(try await store.readBytes(sha256: sha256, range: lower..<upper) == Array(file[Int(lower)..<Int(upper)]), "seed \(seed), bytes \(lower)..<\(upper)")
            }
            // The same bytes again cost nothing: the complete file takes no more chunks.
            #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: 0, chunk: Array(file.prefix(10))) == .completed)
            let totals = try await store.attachmentTotals()
            #expect(totals.files == 1 && totals.bytes == size)
        }
    }

    @Test("a chunk at any other offset than where the held bytes end is refused and changes nothing", arguments: StoreBackend.all)
    func wrongOffset(backend: StoreBackend) async throws {
        let (file, sha256, size) = AttachmentFixture.jpeg(10_000, seed: 7)
        try await withAttachmentStore(backend) { store in
            #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: 100, chunk: Array(file[100..<200])) == .offsetMismatch(held: .none))
            #expect(try await store.heldBytes(sha256: sha256) == HeldBytes.none)
            #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: 0, chunk: Array(file[0..<4_000])) == .held(4_000))
            for offset in [0, 3_999, 4_001, 8_000] {
                let outcome = try await store.appendBytes(sha256: sha256, byteCount: size, offset: Int64(offset), chunk: Array(file[offset..<(offset + 500)]))
                #expect(outcome == .offsetMismatch(held: .partial(4_000)), "offset \(offset)")
            }
            #expect(try await store.heldBytes(sha256: sha256) == .partial(4_000))
            #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: 4_000, chunk: Array(file[4_000...])) == .completed)
            #expect(try await store.readBytes(sha256: sha256, range: 0..<size) == file, "the refused chunks left no trace")
        }
    }

    @Test("bytes whose whole hashes otherwise are dropped, and the upload starts again from 0", arguments: StoreBackend.all)
    func wholeHashMismatch(backend: StoreBackend) async throws {
        var random = SeededGenerator(seed: 11)
        let named = AttachmentFixture.jpeg(50_000, &random)
        var other = named
        other[40_000] ^= 0xFF
        let sha256 = ContentHash.sha256(named), size = Int64(named.count)
        try await withAttachmentStore(backend) { store in
            #expect(try await store.appendBytes(sha256: sha256, byteCount: size, offset: 0, chunk: Array(other[..<30_000])) == .held(30_000))
            let outcome = try await store.appendBytes(sha256: sha256, byteCount: size, offset: 30_000, chunk: Array(other[30_000...]))
            #expect(outcome == .hashMismatch(actual: ContentHash.sha256(other)))
            #expect(try await store.heldBytes(sha256: sha256) == HeldBytes.none)
            #expect(try await store.readBytes(sha256: sha256, range: 0..<size) == nil)
            #expect(try await AttachmentFixture.upload(named, to: store, chunk: 20_000) == .completed)
            #expect(try await store.readBytes(sha256: sha256, range: 0..<size) == named)
        }
    }

    @Test("requests for the same bytes take turns: of eight equal first chunks, one is held", arguments: StoreBackend.all)
    func sameBytesTakeTurns(backend: StoreBackend) async throws {
        let (file, sha256, size) = AttachmentFixture.jpeg(100_000, seed: 13)
        try await withAttachmentStore(backend) { store in
            let outcomes = try await withThrowingTaskGroup(of: AppendOutcome.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.appendBytes(sha256: sha256, byteCount: size, offset: 0, chunk: Array(file[..<60_000])) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .held(60_000) }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .offsetMismatch(held: .partial(60_000)) }.count == 7, "\(outcomes)")
            #expect(try await store.heldBytes(sha256: sha256) == .partial(60_000))
        }
    }

    @Test("collection removes the old bytes no attachment record names, and nothing younger than the cutoff", arguments: StoreBackend.all)
    func collection(backend: StoreBackend) async throws {
        var random = SeededGenerator(seed: 17)
        let kept = AttachmentFixture.jpeg(70_000, &random), loose = AttachmentFixture.jpeg(70_000, &random)
        let unfinished = AttachmentFixture.jpeg(70_000, &random)
        let household = Fixture.household(in: Fixture.villageA)
        let attachment = AttachmentFixture.record(0xA7, of: kept, household: household)
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Fixture.villageA)
            var device = TestDevice(Fixture.assistant(of: Fixture.villageA), replica: 0xA7A7)
            let response = try await device.sync(engine, [device.create(attachment)])
            #expect(response.rejections.isEmpty, "\(response.rejections)")
            let store = try engine.store.attachments
            #expect(try await store.attachmentRecord(attachment.id)?.attachmentSHA256 == attachment.sha256)
            #expect(try await store.attachmentRecord(household.id) == nil, "a household is no attachment")

            try await AttachmentFixture.upload(kept, to: store)
            try await AttachmentFixture.upload(loose, to: store)
            let partial = try await store.appendBytes(sha256: ContentHash.sha256(unfinished), byteCount: 70_000, offset: 0, chunk: Array(unfinished[..<1_000]))
            #expect(partial == .held(1_000))

            #expect(try await store.collectAttachmentBytes(writtenBefore: Self.wallNow - Fixture.msPerDay) == 0, "every file is younger than the cutoff")
            #expect(try await store.heldBytes(sha256: ContentHash.sha256(loose)) == .complete(70_000))
            #expect(try await store.heldBytes(sha256: ContentHash.sha256(unfinished)) == .partial(1_000))

            #expect(try await store.collectAttachmentBytes(writtenBefore: Self.wallNow + 3_600_000) == 2)
            #expect(try await store.heldBytes(sha256: attachment.sha256) == .complete(70_000))
            #expect(try await store.readBytes(sha256: attachment.sha256, range: 0..<70_000) == kept)
            #expect(try await store.heldBytes(sha256: ContentHash.sha256(loose)) == HeldBytes.none)
            #expect(try await store.heldBytes(sha256: ContentHash.sha256(unfinished)) == HeldBytes.none)
            let totals = try await store.attachmentTotals()
            #expect(totals.files == 1 && totals.bytes == 70_000)
        }
    }

    @Test("complete and partial bytes survive reopening the store", arguments: StoreBackend.all)
    func survivesReopening(backend: StoreBackend) async throws {
        var random = SeededGenerator(seed: 19)
        let whole = AttachmentFixture.jpeg(120_000, &random), begun = AttachmentFixture.jpeg(90_000, &random)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-attachments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let open = try backend.reopenable(in: directory)

        let first = try await open()
        #expect(try await AttachmentFixture.upload(whole, to: try first.attachments, chunk: 50_000) == .completed)
        #expect(try await first.attachments.appendBytes(sha256: ContentHash.sha256(begun), byteCount: 90_000, offset: 0, chunk: Array(begun[..<30_000])) == .held(30_000))
        try await first.close()

        let again = try await open()
        let store = try again.attachments
        #expect(try await store.heldBytes(sha256: ContentHash.sha256(whole)) == .complete(120_000))
        #expect(try await store.readBytes(sha256: ContentHash.sha256(whole), range: 0..<120_000) == whole)
        #expect(try await store.heldBytes(sha256: ContentHash.sha256(begun)) == .partial(30_000))
        #expect(try await store.appendBytes(sha256: ContentHash.sha256(begun), byteCount: 90_000, offset: 30_000, chunk: Array(begun[30_000...])) == .completed)
        #expect(try await store.readBytes(sha256: ContentHash.sha256(begun), range: 1_000..<89_000) == Array(begun[1_000..<89_000]))
        try await again.close()
    }

    @Test("a name that is not a SHA-256 in lower-case hex is refused before any file or row is touched", arguments: StoreBackend.all)
    func malformedName(backend: StoreBackend) async throws {
        try await withAttachmentStore(backend) { store in
            for name in ["../../server.sqlite", String(repeating: "A", count: 64), String(repeating: "a", count: 63)] {
                await #expect(throws: SyncEngineError.self) { try await store.appendBytes(sha256: name, byteCount: 3, offset: 0, chunk: [0xFF, 0xD8, 0xFF]) }
                await #expect(throws: SyncEngineError.self) { try await store.heldBytes(sha256: name) }
            }
        }
    }
}
