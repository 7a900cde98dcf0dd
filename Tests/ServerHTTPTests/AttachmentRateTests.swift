import DataProtection
import FieldModel
import Foundation
import ServerHTTP
import SyncProtocol
import Testing

/// A device's attachment chunks spend a budget of bytes of their own (SPEC §15.2): a phone
/// sending its photos as fast as its link goes never spends the requests its syncs need, and a
/// flood of chunks — tiny ones counted at the minimum — is refused with `Retry-After`.
@Suite("Attachment upload budget", .serialized)
struct AttachmentRateTests {
    static var limits: ServerLimits {
        var l = AttachmentAPITests.limits
        l.deviceBurst = 3
        l.deviceRequestsPerSecond = 0.001
        l.uploadBurstBytes = 40 * 1024
        l.uploadBytesPerSecond = 4 * 1024
        return l
    }

    @Test(arguments: Deployment.Backend.all) func chunksSpendBytesNotTheSyncsRequests(backend: Deployment.Backend) async throws {
        let chunk = AttachmentAPITests.chunk
        let whole = AttachmentAPITests.photo(5 * chunk, seed: 41), small = AttachmentAPITests.photo(3_000, seed: 42)
        let photo = AttachmentAPITests.record(11, whole), other = AttachmentAPITests.record(12, small)
        try await AttachmentAPITests.with(backend, [photo, other], limits: Self.limits) { d, token in
            // Five chunks of 8 KiB: 40 KiB, the whole upload budget, though the request budget is 3.
            for offset in stride(from: 0, to: whole.count, by: chunk) {
                let r = try await AttachmentAPITests.put(d, photo.id, token, offset: offset, whole[offset..<offset + chunk])
                #expect(r.status == 200, "chunk at \(offset): \(r.status) \(String(decoding: r.body, as: UTF8.self))")
            }
            // The budget is spent: the next chunk waits a whole 4 KiB's refill (a 100-byte chunk counts 4 KiB).
            let refused = try await AttachmentAPITests.put(d, other.id, token, offset: 0, small.prefix(100))
            #expect(refused.status == 429 && refused.error?.code == "rate_limited" && refused.headers["retry-after"] == "1",
                    "\(refused.status) \(refused.headers) \(String(decoding: refused.body, as: UTF8.self))")
            #expect(refused.error?.message.contains("bytes of attachment chunks") == true && refused.error?.message.contains("4096") == true)
            // Nothing of the refused chunk is held, and the device's requests are untouched.
            #expect(try await AttachmentAPITests.state(d, other.id, token).received == 0)
            #expect(try await AttachmentAPITests.state(d, photo.id, token).complete)
            // A second later 4 KiB is back: one small chunk goes, the next is refused again.
            d.clock.advance(by: 1_000)
            #expect(try await AttachmentAPITests.put(d, other.id, token, offset: 0, small.prefix(100)).status == 200)
            #expect(try await AttachmentAPITests.put(d, other.id, token, offset: 100, small[100..<200]).status == 429)
            // The third request of the budget of 3 is still there; the fourth is refused by it.
            let info = try await d.raw("GET", "/v1/attachments/\(other.id)/upload", token: token)
            #expect(info.status == 200)
            #expect(try await d.raw("GET", "/v1/attachments/\(other.id)/upload", token: token).status == 429)
            #expect(try await d.store.heldBytes(sha256: other.sha256) == .partial(100))
        }
    }

    @Test func theServerSaysItsUploadBudget() async throws {
        try await Deployment.with(limits: Self.limits) { d in
            let info = try await d.raw("GET", "/v1/info", token: nil)
            let text = String(decoding: info.body, as: UTF8.self)
            #expect(text.contains("\"uploadBurstBytes\":40960") && text.contains("\"uploadBytesPerSecond\":4096")
                    && text.contains("\"uploadMinimumChunkBytes\":4096"), "\(text)")
        }
    }
}
