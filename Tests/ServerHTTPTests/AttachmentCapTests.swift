import DataProtection
import FieldModel
import Foundation
import ServerApp
import Testing

/// The file cap lowered after a record above it was taken (an operator's new
/// `--attachment-max-bytes`, met by a phone whose record synced before): the file is refused as
/// `file_too_large` with what the server holds, and nothing is kept; the record stays.
@Suite("Attachment cap lowered", .serialized)
struct AttachmentCapTests {
    @Test(arguments: Deployment.Backend.all) func aFileOverTheLoweredCapIsRefusedAsTooLarge(backend: Deployment.Backend) async throws {
        let bytes = AttachmentAPITests.photo(20_000, seed: 31)
        let photo = AttachmentAPITests.record(9, bytes)
        try await AttachmentAPITests.with(backend, [photo]) { d, token in
            // Under the cap it was taken with, its first chunk is taken.
            let first = Array(bytes.prefix(AttachmentAPITests.chunk))
            #expect(try await AttachmentAPITests.put(d, photo.id, token, offset: 0, first).status == 200)
            try await d.withSecondInstance({ $0.engine.policy.attachmentMaxBytes = 10_000 }) { lowered in
                let next = Array(bytes[first.count..<2 * first.count])
                let put = try await RawResponse.send("PUT", lowered.url.absoluteString + "/v1/attachments/\(photo.id)/upload?offset=\(first.count)",
                                                     headers: ["Authorization": "Bearer \(token)", "Chunk-SHA256": ContentHash.sha256(next),
                                                               "Content-Type": "application/octet-stream"],
                                                     body: next)
                #expect(put.status == 413 && put.error?.code == "file_too_large", "\(put.status) \(String(decoding: put.body, as: UTF8.self))")
                #expect(put.error?.received == Int64(first.count))
                #expect(put.error?.message.contains("20000 bytes") == true && put.error?.message.contains("10000") == true, "\(put.error?.message ?? "")")
                let info = try await RawResponse.send("GET", lowered.url.absoluteString + "/v1/info", headers: [:], body: nil)
                #expect(String(decoding: info.body, as: UTF8.self).contains("\"attachmentMaxBytes\":10000"))
            }
            // Nothing was added by the refusal; the record is still served as what it is.
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == .partial(Int64(first.count)))
            #expect(try await AttachmentAPITests.state(d, photo.id, token).byteCount == Int64(bytes.count))
        }
    }
}
