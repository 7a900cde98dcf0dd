import DataProtection
import FieldModel
import Foundation
import ServerEngine
import ServerSQLite
import Testing

/// A file store writes the last chunk and checks the whole in two steps: a server killed between
/// them restarts holding every byte of an unfinished file, and no chunk is left to send. The next
/// question about it checks the whole then (found by `client-sim crash-loop --photos-per-visit`,
/// where the phone gave the photo up as `beyond_size`). PostgreSQL writes both in one transaction.
@Suite("Attachment left whole but unchecked by a crash", .serialized)
struct AttachmentFinishTests {
    /// The state a SIGKILL after the last chunk's fsync and before the rename leaves.
    static func leaveUnfinished(_ d: Deployment, sha256: String, _ bytes: [UInt8]) throws {
        let store = try #require(d.store as? SQLiteSyncStore)
        let partial = store.attachmentDirectory + "/partial"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: partial + "/" + sha256))
    }

    @Test func aWholeUncheckedFileIsCheckedWhenAskedAbout() async throws {
        let bytes = AttachmentAPITests.photo(30_000, seed: 51)
        let photo = AttachmentAPITests.record(21, bytes)
        try await AttachmentAPITests.with(.sqlite, [photo]) { d, token in
            try Self.leaveUnfinished(d, sha256: photo.sha256, bytes)
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == .partial(Int64(bytes.count)))
            let state = try await AttachmentAPITests.state(d, photo.id, token)
            #expect(state.complete && state.received == Int64(bytes.count))
            let download = try await d.raw("GET", "/v1/attachments/\(photo.id)/content", token: token)
            #expect(download.status == 200 && download.body == bytes)
        }
    }

    @Test func aWholeUncheckedFileThatDoesNotHashIsDroppedAndSentAgain() async throws {
        let bytes = AttachmentAPITests.photo(30_000, seed: 52)
        let photo = AttachmentAPITests.record(22, bytes)
        var damaged = bytes
        damaged[20_000] ^= 0xFF
        try await AttachmentAPITests.with(.sqlite, [photo]) { d, token in
            try Self.leaveUnfinished(d, sha256: photo.sha256, damaged)
            let state = try await AttachmentAPITests.state(d, photo.id, token)
            #expect(!state.complete && state.received == 0)
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == HeldBytes.none)
            // The phone sends it again from 0 and it completes.
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + AttachmentAPITests.chunk, bytes.count)
                #expect(try await AttachmentAPITests.put(d, photo.id, token, offset: offset, bytes[offset..<end]).status == 200)
                offset = end
            }
            #expect(try await AttachmentAPITests.state(d, photo.id, token).complete)
        }
    }
}
