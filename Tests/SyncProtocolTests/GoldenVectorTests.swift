import Foundation
import SwiftProtobuf
import SyncCore
import Testing
@testable import SyncProtocol

/// `protocol/vectors/`: for each message, its protobuf bytes (`.pb`), the same deflated
/// (`.pb.deflate`) and a readable rendering (`.txt`). Run with `DOORSTEP_WRITE_VECTORS=1` to
/// write them anew after a deliberate change of the encoding.
@Suite struct GoldenVectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")
    static let writing = ProcessInfo.processInfo.environment["DOORSTEP_WRITE_VECTORS"] == "1"

    static func check(_ name: String, body: [UInt8], rendering: String) throws {
        let pb = directory.appendingPathComponent("\(name).pb")
        let deflated = directory.appendingPathComponent("\(name).pb.deflate")
        let text = directory.appendingPathComponent("\(name).txt")
        let compressed = Deflate.compress(body)
        if writing {
            try Data(body).write(to: pb)
            try Data(compressed).write(to: deflated)
            try rendering.write(to: text, atomically: true, encoding: .utf8)
        }
        let storedBody = try [UInt8](Data(contentsOf: pb))
        let storedDeflated = try [UInt8](Data(contentsOf: deflated))
        #expect(storedBody == body, "\(name).pb differs from what the codec writes")
        #expect(storedDeflated == compressed, "\(name).pb.deflate differs from deflating the body")
        #expect(try Inflate.decompress(storedDeflated) == storedBody)
        #expect(try String(contentsOf: text, encoding: .utf8) == rendering)
    }

    @Test(arguments: VectorFixtures.requests.map(\.0))
    func requestVectorsAreReproducedAndDecodeBack(name: String) throws {
        let request = try #require(VectorFixtures.requests.first { $0.0 == name }?.1)
        let body = SyncCodec.requestBody(request)
        let proto = try Doorstep_Sync_V1_SyncRequest(serializedBytes: body)
        try Self.check(name, body: body, rendering: proto.textFormatString() + "\n# decoded\n" + Rendering.request(request))
        let stored = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent("\(name).pb.deflate")))
        // A change named by a handle decodes with its handle; the server's ids resolve it.
        let ids = Dictionary(uniqueKeysWithValues: request.recordHandles.map { ($0.value, $0.key) })
        let (decoded, unknown) = try SyncCodec.decodeRequest(stored).resolvingHandles(ids)
        #expect(unknown.isEmpty)
        var expected = request
        expected.recordHandles = [:]
        #expect(decoded == expected)
    }

    @Test(arguments: VectorFixtures.responses.map(\.0))
    func responseVectorsAreReproducedAndDecodeBack(name: String) throws {
        let response = try #require(VectorFixtures.responses.first { $0.0 == name }?.1)
        let body = SyncCodec.responseBody(response)
        let proto = try Doorstep_Sync_V1_SyncResponse(serializedBytes: body)
        try Self.check(name, body: body, rendering: proto.textFormatString() + "\n# decoded\n" + Rendering.response(response))
        let stored = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent("\(name).pb.deflate")))
        let decoded = try SyncCodec.decodeResponse(stored)
        #expect(decoded.page.count == response.page.count)
        for (a, b) in zip(decoded.page, response.page) { #expect(a.isObservablyEqual(to: b)) }
        var withoutPage = decoded, expected = response
        withoutPage.page = []
        expected.page = []
        #expect(withoutPage == expected)
    }
}

extension GoldenVectorTests {
    /// `record-digests.json`: each record of `response-page-every-kind` with its canonical
    /// encoding (SPEC §13) and digest, and the village's digest, for implementations of the digest.
    static func recordDigests() -> String {
        let page = VectorFixtures.everyKindPage
        let records = page.map { s in
            let hex = s.encoded(includeSupersession: false).map { String(format: "%02x", $0) }.joined()
            return "    {\"collection\": \(s.key.collection.rawValue), \"id\": \"\(s.key.id)\", \"deleted\": \(s.isDeleted),\n"
                + "     \"encoding\": \"\(hex)\",\n     \"digest\": \"\(s.digest)\"}"
        }
        let digest = VectorFixtures.villageDigest(page)
        return "{\n  \"response\": \"response-page-every-kind\",\n  \"records\": [\n" + records.joined(separator: ",\n") + "\n  ],\n"
            + "  \"villages\": [\n    {\"village\": \(VectorFixtures.village.rawValue), \"digest\": \"\(digest.value)\", \"records\": \(digest.recordCount)}\n  ]\n}\n"
    }

    @Test func recordEncodingsAndDigestsAreReproduced() throws {
        let file = Self.directory.appendingPathComponent("record-digests.json")
        let text = Self.recordDigests()
        if Self.writing { try text.write(to: file, atomically: true, encoding: .utf8) }
        #expect(try String(contentsOf: file, encoding: .utf8) == text, "record-digests.json differs from the records' encodings and digests")
        let decoded = try SyncCodec.decodeResponse([UInt8](Data(contentsOf: Self.directory.appendingPathComponent("response-page-every-kind.pb.deflate"))))
        #expect(decoded.page.map(\.digest) == VectorFixtures.everyKindPage.map(\.digest))
    }
}

/// A plain listing of a decoded message, one line per change or record.
enum Rendering {
    static func request(_ r: SyncRequest) -> String {
        var lines = ["SyncRequest v\(r.protocolVersion) schema \(r.schemaVersion) replica \(r.replica) app \(r.appVersion)"]
        if !r.recordHandles.isEmpty {
            lines.append("handles: " + r.recordHandles.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        lines += ["cursors: " + r.cursors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                  "health: \(r.health)", "pageLimit: \(r.pageLimit) deviceTime: \(r.deviceTimeMilliseconds)"]
        lines += r.changes.map { "change \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func response(_ r: SyncResponse) -> String {
        var lines = ["SyncResponse v\(r.protocolVersion) serverTime \(r.serverTimeMilliseconds) hasMore \(r.hasMore)",
                     "acked: " + r.acked.map(String.init).joined(separator: " ")]
        lines += r.rejections.map { "rejected \($0.counter) \($0.reason): \($0.message)" }
        for (i, s) in r.page.enumerated() {
            let handle = i < r.pageHandles.count ? " handle \(r.pageHandles[i])" : ""
            lines.append("record \(s.key)\(handle) version \(s.version) needsReview \(s.needsReview)")
            for (id, f) in s.fields.sorted(by: { $0.key < $1.key }) {
                lines.append("  field \(id): " + f.siblings.map { "\($0.value) @\($0.dot) \($0.hlc) by \($0.author)" }.joined(separator: " | "))
            }
        }
        lines.append("cursors: " + r.cursors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        lines.append("digests: " + r.digests.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        lines.append("dropped: \(r.droppedVillages) rebootstrap: \(r.rebootstrapVillages)")
        lines += r.warnings.map { "warning \($0.code): \($0.message)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
