import DataProtection
import FieldModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ServerApp
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// The attachment API over real HTTP on both backends (SPEC §15): uploads cut at random bytes
/// resume from what the server holds; every refusal has its code and leaves nothing behind;
/// downloads by scope, with ranges and cache headers.
@Suite("Attachment API", .serialized)
struct AttachmentAPITests {
    static let village = HTTPFixture.villageA
    static var house: Household { HTTPFixture.households(in: village)[0] }
    static let chunk = 8 << 10

    static var limits: ServerLimits {
        var l = ServerLimits()
        l.chunkMaxBytes = chunk
        l.deviceBurst = 100_000
        return l
    }

    /// JPEG-looking bytes: the signature, then seeded noise.
    static func photo(_ size: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        return [0xFF, 0xD8, 0xFF, 0xE0] + (4..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func record(_ n: UInt64, _ bytes: [UInt8], sha256: String? = nil, type: AttachmentContentType = .jpeg) -> FieldModel.Attachment {
        FieldModel.Attachment(id: RecordID(high: 0x0193_0000_0000_7000 | n, low: 0x8000_0000_0000_0000 | n), village: village,
                              householdID: house.id, kind: .documentPhoto, contentType: type, byteCount: Int64(bytes.count),
                              sha256: sha256 ?? ContentHash.sha256(bytes), takenOn: CalendarDate.chinaStandard(millisecondsSinceEpoch: HTTPFixture.now))
    }

    /// A deployment with `village` seeded, `records` imported, and an assistant's device token.
    static func with(_ backend: Deployment.Backend, _ records: [FieldModel.Attachment], limits: ServerLimits = limits,
                     _ body: (Deployment, String) async throws -> Void) async throws {
        try await Deployment.with(backend: backend, limits: limits) { d in
            try await d.seed(village)
            let imported = try await d.engine.importRecords(records.map(ImportRecord.init), by: AccessControl.bootstrapAdministrator, now: d.clock.now)
            try #require(imported.rejected.isEmpty, "\(imported.rejected)")
            let device = try await d.enrol(HTTPFixture.assistant(village), replica: 0xA11)
            try await body(d, device.token)
        }
    }

    static func state(_ d: Deployment, _ id: RecordID, _ token: String) async throws -> UploadState {
        let r = try await d.raw("GET", "/v1/attachments/\(id)/upload", token: token)
        try #require(r.status == 200, "\(r.status) \(String(decoding: r.body, as: UTF8.self))")
        return try JSONDecoder().decode(UploadState.self, from: Data(r.body))
    }

    static func put(_ d: Deployment, _ id: RecordID, _ token: String, offset: Int, _ chunk: some Collection<UInt8>,
                    hash: String? = nil) async throws -> RawResponse {
        try await d.raw("PUT", "/v1/attachments/\(id)/upload?offset=\(offset)", token: token,
                        headers: ["Chunk-SHA256": hash ?? ContentHash.sha256(chunk), "Content-Type": "application/octet-stream"],
                        body: Array(chunk))
    }

    /// A PUT whose connection is cut after `sent` bytes of its body: the server sees a request
    /// that never finished.
    static func cutPut(_ d: Deployment, _ id: RecordID, _ token: String, offset: Int, _ chunk: [UInt8], sent: Int) throws {
        let connection = try ConnectionTimeoutTests.Connection(port: d.running.port)
        connection.send("PUT /v1/attachments/\(id)/upload?offset=\(offset) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                        + "Chunk-SHA256: \(ContentHash.sha256(chunk))\r\nContent-Type: application/octet-stream\r\nContent-Length: \(chunk.count)\r\n\r\n")
        _ = chunk.prefix(sent).withUnsafeBufferPointer { Glibc.send(connection.fd, $0.baseAddress, $0.count, 0) }
        connection.close()
    }

    @Test(arguments: Deployment.Backend.all) func anUploadCutAtRandomBytesResumesFromWhatTheServerHolds(backend: Deployment.Backend) async throws {
        let bytes = Self.photo(230_000, seed: 22)
        let photo = Self.record(1, bytes)
        try await Self.with(backend, [photo]) { d, token in
            var rng = SeededGenerator(seed: 2_201)
            var cuts = 0, resent = 0
            var state = try await Self.state(d, photo.id, token)
            #expect(state.received == 0 && !state.complete && state.chunkMaxBytes == Self.chunk && state.byteCount == Int64(bytes.count))
            while !state.complete {
                let offset = Int(state.received)
                let size = min(Int.random(in: 1...Self.chunk, using: &rng), bytes.count - offset)
                let chunk = Array(bytes[offset..<offset + size])
                // The connection drops somewhere in the chunk's body, once or twice.
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    try Self.cutPut(d, photo.id, token, offset: offset, chunk, sent: Int.random(in: 0..<size, using: &rng))
                    cuts += 1
                }
                // What the phone asks after a cut: the server holds what it held before.
                var after = try await Self.state(d, photo.id, token)
                for _ in 0..<20 where after.received != state.received {
                    try await Task.sleep(for: .milliseconds(20))
                    after = try await Self.state(d, photo.id, token)
                }
                #expect(after.received == state.received && !after.complete)
                let sent = try await Self.put(d, photo.id, token, offset: offset, chunk)
                try #require(sent.status == 200, "\(sent.status) \(String(decoding: sent.body, as: UTF8.self))")
                state = try JSONDecoder().decode(UploadState.self, from: Data(sent.body))
                #expect(state.received == Int64(offset + size))
                // Sometimes the answer is lost: the phone sends the same chunk again and is told where to go on.
                if !state.complete, Bool.random(using: &rng) {
                    let again = try await Self.put(d, photo.id, token, offset: offset, chunk)
                    #expect(again.status == 409 && again.error?.code == "offset_mismatch" && again.error?.received == state.received)
                    resent += 1
                }
            }
            #expect(cuts >= 50, "\(cuts) cuts")
            let download = try await d.raw("GET", "/v1/attachments/\(photo.id)/content", token: token)
            #expect(download.status == 200 && download.body == bytes)
            #expect(ContentHash.sha256(download.body) == photo.sha256)
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == .complete(Int64(bytes.count)))
            // Complete: a PUT changes nothing and says so.
            let late = try await Self.put(d, photo.id, token, offset: 0, bytes.prefix(100))
            #expect(late.status == 200)
            print("attachment upload: \(bytes.count) bytes, \(cuts) cuts, \(resent) chunks sent twice (\(backend.rawValue))")
        }
    }

    /// Each refusal with its status and code, and nothing held afterwards that was not held before.
    @Test(arguments: Deployment.Backend.all) func everyRefusalHasItsCodeAndLeavesNothingBehind(backend: Deployment.Backend) async throws {
        let bytes = Self.photo(20_000, seed: 7)
        let photo = Self.record(2, bytes)
        let lying = Self.record(3, Self.photo(9_000, seed: 8), sha256: ContentHash.sha256(bytes.prefix(9_000)))
        let png = Self.record(4, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 500), type: .png)
        try await Self.with(backend, [photo, lying, png]) { d, token in
            func expect(_ r: RawResponse, _ status: Int, _ code: String, received: Int64? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(r.status == status && r.error?.code == code, "\(r.status) \(String(decoding: r.body, as: UTF8.self))", sourceLocation: sourceLocation)
                if let received { #expect(r.error?.received == received, sourceLocation: sourceLocation) }
            }
            let first = Array(bytes.prefix(Self.chunk))
            expect(try await Self.put(d, photo.id, token, offset: 0, first, hash: String(repeating: "0", count: 64)), 422, "chunk_hash_mismatch", received: 0)
            expect(try await Self.put(d, photo.id, token, offset: 0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + first.dropFirst(8)),
                   415, "content_type_mismatch", received: 0)
            expect(try await Self.put(d, png.id, token, offset: 0, Self.photo(300, seed: 9)), 415, "content_type_mismatch", received: 0)
            expect(try await Self.put(d, photo.id, token, offset: 0, Self.photo(Self.chunk + 1, seed: 10)), 413, "chunk_too_large", received: 0)
            expect(try await Self.put(d, photo.id, token, offset: 0, Self.photo(Self.chunk + 2, seed: 10)), 413, "body_too_large")
            expect(try await Self.put(d, photo.id, token, offset: 5, first.prefix(10)), 409, "offset_mismatch", received: 0)
            expect(try await Self.put(d, photo.id, token, offset: 0, [UInt8]()), 413, "beyond_size", received: 0)
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == HeldBytes.none)
            // Past the stated size: the last chunk may not run over.
            var offset = 0
            while bytes.count - offset > Self.chunk {
                #expect(try await Self.put(d, photo.id, token, offset: offset, bytes[offset..<offset + Self.chunk]).status == 200)
                offset += Self.chunk
            }
            expect(try await Self.put(d, photo.id, token, offset: offset, Array(bytes[offset...]) + [0]), 413, "beyond_size", received: Int64(offset))
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == .partial(Int64(offset)))
            // A record whose hash the bytes do not match: the whole is refused and dropped.
            let wrong = Self.photo(9_000, seed: 8)
            #expect(try await Self.put(d, lying.id, token, offset: 0, wrong.prefix(Self.chunk)).status == 200)
            expect(try await Self.put(d, lying.id, token, offset: Self.chunk, wrong[Self.chunk...]), 422, "hash_mismatch", received: 0)
            #expect(try await d.store.heldBytes(sha256: lying.sha256) == HeldBytes.none)
            #expect(try await Self.state(d, lying.id, token).received == 0)
            // Malformed requests.
            expect(try await d.raw("GET", "/v1/attachments/not-a-uuid/upload", token: token), 400, "invalid_argument")
            expect(try await d.raw("PUT", "/v1/attachments/\(photo.id)/upload?offset=-1", token: token, body: [1]), 400, "invalid_argument")
            expect(try await d.raw("PUT", "/v1/attachments/\(photo.id)/upload?offset=99999999999", token: token, body: [1]), 400, "invalid_argument")
            expect(try await d.raw("PUT", "/v1/attachments/\(photo.id)/upload?offset=0", token: token, body: [1]), 400, "invalid_argument")
            expect(try await d.raw("GET", "/v1/attachments/\(RecordID(high: 0x0193_0000_0000_7999, low: 0x8000_0000_0000_0999))/upload", token: token),
                   404, "unknown_attachment")
            expect(try await d.raw("GET", "/v1/attachments/\(photo.id)/content", token: token), 404, "not_uploaded")
            #expect(try await d.raw("GET", "/v1/attachments/\(photo.id)/upload", token: nil).status == 401)
            expect(try await d.raw("GET", "/v1/attachments/\(photo.id)/upload", token: d.adminToken), 403, "forbidden")
            #expect(try await d.store.heldBytes(sha256: photo.sha256) == .partial(Int64(offset)))
        }
    }

    /// Scope and recusal: another village's assistant may neither send nor fetch; a reviewer of
    /// the township may fetch; a worker who filed the household as a relative's may do neither.
    @Test(arguments: Deployment.Backend.all) func onlyTheScopeFetchesAndNeverARelative(backend: Deployment.Backend) async throws {
        let bytes = Self.photo(12_000, seed: 11)
        let photo = Self.record(5, bytes)
        try await Self.with(backend, [photo]) { d, token in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + Self.chunk, bytes.count)
                #expect(try await Self.put(d, photo.id, token, offset: offset, bytes[offset..<end]).status == 200)
                offset = end
            }
            let stranger = try await d.enrol(HTTPFixture.assistant(HTTPFixture.villageB), replica: 0xB11)
            for path in ["upload", "content"] {
                let r = try await d.raw("GET", "/v1/attachments/\(photo.id)/\(path)", token: stranger.token)
                #expect(r.status == 403 && r.error?.code == "outside_scope", "\(path): \(r.status)")
            }
            #expect(try await Self.put(d, photo.id, stranger.token, offset: 0, bytes.prefix(10)).error?.code == "outside_scope")
            let reviewer = try await d.enrol(HTTPFixture.reviewer, replica: 0xC11)
            let fetched = try await d.raw("GET", "/v1/attachments/\(photo.id)/content", token: reviewer.token)
            #expect(fetched.status == 200 && fetched.body == bytes)
            // The reviewer files the household as a sibling's: from then on, recusal.
            let filing = RelativeFiling(id: RecordID(high: 0x0193_0000_0000_7000 | 77, low: 0x8000_0000_0000_0077), village: Self.village,
                                        staff: HTTPFixture.reviewer.id, household: Self.house.id, relation: .sibling,
                                        filedOn: CalendarDate.chinaStandard(millisecondsSinceEpoch: HTTPFixture.now))
            let filed = try await d.engine.importRecords([ImportRecord(filing)], by: AccessControl.bootstrapAdministrator, now: d.clock.now)
            #expect(filed.rejected.isEmpty)
            for path in ["upload", "content"] {
                let r = try await d.raw("GET", "/v1/attachments/\(photo.id)/\(path)", token: reviewer.token)
                #expect(r.status == 403 && r.error?.code == "recusal", "\(path): \(r.status)")
            }
            // The village's assistant still fetches it.
            #expect(try await d.raw("GET", "/v1/attachments/\(photo.id)/content", token: token).body == bytes)
        }
    }

    /// Ranges, validators and cache headers by hash; the same bytes named twice are stored once.
    @Test(arguments: Deployment.Backend.all) func downloadsServeRangesAndCacheByHash(backend: Deployment.Backend) async throws {
        let bytes = Self.photo(15_000, seed: 12)
        let photo = Self.record(6, bytes), twin = Self.record(7, bytes)
        try await Self.with(backend, [photo, twin]) { d, token in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + Self.chunk, bytes.count)
                #expect(try await Self.put(d, photo.id, token, offset: offset, bytes[offset..<end]).status == 200)
                offset = end
            }
            // Attached twice, sent once.
            let twinState = try await Self.state(d, twin.id, token)
            #expect(twinState.complete && twinState.received == Int64(bytes.count))
            let path = "/v1/attachments/\(photo.id)/content"
            let whole = try await d.raw("GET", path, token: token)
            #expect(whole.status == 200 && whole.body == bytes)
            #expect(whole.headers["etag"] == "\"\(photo.sha256)\"" && whole.headers["content-type"] == "image/jpeg")
            #expect(whole.headers["cache-control"]?.contains("immutable") == true && whole.headers["accept-ranges"] == "bytes")
            let part = try await d.raw("GET", path, token: token, headers: ["Range": "bytes=10-99"])
            #expect(part.status == 206 && part.body == Array(bytes[10...99]) && part.headers["content-range"] == "bytes 10-99/\(bytes.count)")
            let tail = try await d.raw("GET", path, token: token, headers: ["Range": "bytes=-100"])
            #expect(tail.status == 206 && tail.body == Array(bytes.suffix(100)))
            let open = try await d.raw("GET", path, token: token, headers: ["Range": "bytes=14000-"])
            #expect(open.status == 206 && open.body == Array(bytes[14_000...]))
            let past = try await d.raw("GET", path, token: token, headers: ["Range": "bytes=\(bytes.count)-"])
            #expect(past.status == 416 && past.error?.code == "range_not_satisfiable" && past.headers["content-range"] == "bytes */\(bytes.count)")
            let ignored = try await d.raw("GET", path, token: token, headers: ["Range": "bytes=0-1,5-9"])
            #expect(ignored.status == 200 && ignored.body == bytes)
            let cached = try await d.raw("GET", path, token: token, headers: ["If-None-Match": "\"\(photo.sha256)\""])
            #expect(cached.status == 304 && cached.body.isEmpty)
            #expect(try await d.raw("GET", "/v1/attachments/\(twin.id)/content", token: token).body == bytes)
        }
    }
}
