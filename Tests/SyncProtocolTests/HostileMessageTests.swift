import FieldModel
import Foundation
import SwiftProtobuf
import SyncCore
import Testing
@testable import SyncProtocol

/// Message-level attacks: valid protobuf corrupted one column at a time, then deflated. Every one
/// must be refused with its specific `ProtocolError.Code` — never accepted, never a crash — and
/// none may make a decoder allocate in proportion to a count it has not verified.
@Suite struct HostileMessageTests {
    static let catalogue = hostileRequests + hostileResponses

    @Test(arguments: catalogue)
    func hostileMessageIsRefusedWithItsCode(_ message: HostileMessage) {
        let error = message.refusal()
        #expect(error?.code == message.expected, "\(String(describing: error))")
    }

    @Test func catalogueCoversTheAttacks() {
        #expect(Self.catalogue.count >= 60)
        #expect(Set(Self.catalogue.map(\.fileName)).count == Self.catalogue.count, "file names are unique")
        #expect(Set(Self.catalogue.map(\.expected)) == Set(ProtocolError.Code.allCases))
        for kind in [HostileMessage.Kind.request, .response] {
            #expect(Set(Self.catalogue.filter { $0.kind == kind }.map(\.expected)) == Set(ProtocolError.Code.allCases), "\(kind)")
        }
        #expect(Self.catalogue.allSatisfy { $0.bytes.count <= FrameLimits.standard.maxCompressedBytes / 4 }, "fixtures stay small")
    }

    /// The originals the catalogue corrupts are themselves accepted, so each refusal is the corruption's.
    @Test func originalsAreAccepted() throws {
        _ = try SyncCodec.decodeRequestBody(SyncCodec.serialize(Hostile.push))
        _ = try SyncCodec.decodeResponseBody(SyncCodec.serialize(Hostile.answer))
        for value in Hostile.sampleValues { _ = try SyncCodec.decodeRequestBody(SyncCodec.serialize(Hostile.oneValue(value))) }
        var limit = VectorFixtures.bootstrapRequest
        limit.changes = Hostile.chain(MessageLimits.standard.maxChanges)
        #expect(try SyncCodec.decodeRequest(SyncCodec.encodeRequest(limit)) == limit)
    }

    @Test func committedFixturesFailWithTheCodeInTheirName() throws {
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let files = try FileManager.default
            .contentsOfDirectory(at: root.appendingPathComponent("hostile-messages"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "bin" }
        let committed = Set(files.map(\.lastPathComponent)), catalogued = Set(Self.catalogue.map(\.fileName))
        #expect(catalogued.subtracting(committed).sorted() == [], "not written: run writeHostileMessageFixtures")
        #expect(committed.subtracting(catalogued).sorted() == [], "not in the catalogue")
        for file in files {
            let name = file.lastPathComponent
            let parts = name.split(separator: "-", maxSplits: 2).map(String.init)
            let kind = try #require(HostileMessage.Kind(rawValue: parts[0]), "\(name)")
            let code = try #require(ProtocolError.Code(rawValue: parts[1]), "\(name)")
            let message = HostileMessage(kind: kind, name: parts[2], expected: code, frame: [UInt8](try Data(contentsOf: file)))
            let error = message.refusal()
            #expect(error?.code == code, "\(name): \(String(describing: error))")
        }
    }

    /// Rewrites Fixtures/hostile-messages from the catalogue: `DOORSTEP_WRITE_FIXTURES=1 swift test
    /// --skip-build --filter HostileMessageTests/writeHostileMessageFixtures`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DOORSTEP_WRITE_FIXTURES"] == "1"))
    func writeHostileMessageFixtures() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hostile-messages")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stale = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in stale where file.pathExtension == "bin" { try FileManager.default.removeItem(at: file) }
        for message in Self.catalogue { try Data(message.bytes).write(to: directory.appendingPathComponent(message.fileName)) }
    }
}

/// A request or response body that its decoder must refuse with `expected`.
struct HostileMessage: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable { case request, response }

    var kind: Kind
    var name: String
    var expected: ProtocolError.Code
    /// What goes on the wire: usually the deflated body, sometimes a broken frame.
    var bytes: [UInt8]

    init(kind: Kind, name: String, expected: ProtocolError.Code, frame: [UInt8]) {
        self.kind = kind
        self.name = name
        self.expected = expected
        self.bytes = frame
    }

    init(kind: Kind, name: String, expected: ProtocolError.Code, body: [UInt8]) {
        self.init(kind: kind, name: name, expected: expected, frame: Deflate.compress(body))
    }

    var fileName: String { "\(kind.rawValue)-\(expected.rawValue)-\(name).bin" }
    var testDescription: String { fileName }

    /// The error the decoder refuses the message with, or nil (and a recorded issue) if it accepts it.
    func refusal(sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
        do {
            switch kind {
            case .request: _ = try SyncCodec.decodeRequest(bytes)
            case .response: _ = try SyncCodec.decodeResponse(bytes)
            }
            Issue.record("\(fileName) was accepted", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// Builders for the catalogue: each takes a valid message, applies one corruption and serializes.
enum Hostile {
    typealias Code = ProtocolError.Code
    typealias Request = Doorstep_Sync_V1_SyncRequest
    typealias Response = Doorstep_Sync_V1_SyncResponse
    typealias Values = Doorstep_Sync_V1_ValueColumns

    /// `VectorFixtures.pushRequest`: groups visit (create), household (4 changes), member (delete).
    static let push = try! Request(serializedBytes: SyncCodec.requestBody(VectorFixtures.pushRequest))
    /// `VectorFixtures.pushResponse`: one household created by the server, a field with two siblings.
    static let answer = try! Response(serializedBytes: SyncCodec.responseBody(VectorFixtures.pushResponse))
    static let sampleValues: [FieldValue] = [.text("14082119650312001X"), .text("13835901234"), .ids([VectorFixtures.member, VectorFixtures.visit]), .text("ok")]

    /// A request whose batch is one set of the household's phone to `value`.
    static func oneValue(_ value: FieldValue) -> Request {
        var r = VectorFixtures.bootstrapRequest
        r.changes = [Change(dot: Dot(VectorFixtures.device, 1), record: VectorFixtures.householdKey, operation: .set(FieldID(4), value),
                            context: VectorFixtures.serverCreate, hlc: VectorFixtures.hlc0, author: VectorFixtures.worker)]
        return try! Request(serializedBytes: SyncCodec.requestBody(r))
    }

    /// `count` chained edits of the household by the device.
    static func chain(_ count: Int) -> [Change] {
        var context = VectorFixtures.serverCreate
        return (1...count).map { i in
            let change = Change(dot: Dot(VectorFixtures.device, UInt64(i)), record: VectorFixtures.householdKey,
                                operation: .set(FieldID(10), .int(Int64(i) * 100)), context: context,
                                hlc: VectorFixtures.hlc(Int64(i)), author: VectorFixtures.worker)
            context.add(change.dot)
            return change
        }
    }

    static func request(_ name: String, _ code: Code, from base: Request = push, _ edit: (inout Request) -> Void) -> HostileMessage {
        var m = base
        edit(&m)
        return HostileMessage(kind: .request, name: name, expected: code, body: SyncCodec.serialize(m))
    }

    static func batch(_ name: String, _ code: Code, from base: Request = push, _ edit: (inout Doorstep_Sync_V1_ChangeBatch) -> Void) -> HostileMessage {
        request(name, code, from: base) { edit(&$0.batch) }
    }

    static func value(_ name: String, _ code: Code, _ value: FieldValue, _ edit: (inout Values) -> Void) -> HostileMessage {
        batch(name, code, from: oneValue(value)) { edit(&$0.values) }
    }

    static func response(_ name: String, _ code: Code, _ edit: (inout Response) -> Void) -> HostileMessage {
        var m = answer
        edit(&m)
        return HostileMessage(kind: .response, name: name, expected: code, body: SyncCodec.serialize(m))
    }

    static func page(_ name: String, _ code: Code, _ edit: (inout Doorstep_Sync_V1_StateBlock) -> Void) -> HostileMessage {
        response(name, code) { edit(&$0.page) }
    }

    static func raw(_ kind: HostileMessage.Kind, _ name: String, _ code: Code, body: [UInt8]) -> HostileMessage {
        HostileMessage(kind: kind, name: name, expected: code, body: body)
    }

    static func frame(_ kind: HostileMessage.Kind, _ name: String, _ code: Code, _ frame: [UInt8]) -> HostileMessage {
        HostileMessage(kind: kind, name: name, expected: code, frame: frame)
    }

    // MARK: Protobuf by hand

    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }

    /// `depth` unknown groups (field 100) nested in one another.
    static func nestedGroups(_ depth: Int) -> [UInt8] {
        Array([[UInt8]](repeating: tag(100, 3), count: depth).joined()) + Array([[UInt8]](repeating: tag(100, 4), count: depth).joined())
    }

    /// `body` followed by an unknown bytes field of `count` zeros: still a valid message.
    static func padded(_ body: [UInt8], zeros count: Int) -> [UInt8] {
        body + tag(99, 2) + varint(UInt64(count)) + [UInt8](repeating: 0, count: count)
    }

    /// `count` draws from `values`, seeded: columns long enough to pass a limit yet not a deflate bomb.
    static func spread<T>(_ count: Int, of values: [T], seed: UInt64) -> [T] {
        var g = MessageGenerator(seed: seed)
        return (0..<count).map { _ in g.pick(values) }
    }
}
