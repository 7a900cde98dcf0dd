import FieldModel
import Foundation
import ServerHTTP
import SyncClient
import SyncCore
import SyncProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Hostile and malformed requests get their 4xx and change nothing")
struct HostileRequestTests {
    let A = HTTPFixture.villageA

    /// The process's peak resident memory, bytes.
    func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    @Test func aDeflateBombIsStoppedWhileInflatingWithBoundedMemory() async throws {
        try await Deployment.with { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x51)
            let before = try await d.store.stateHash()
            // 512 MiB of zeros deflate to about 0.5 MiB: under the body cap, 1000:1 when inflated.
            let bomb = Deflate.compress([UInt8](repeating: 0, count: 512 << 20), level: 9)
            #expect(bomb.count < 1 << 20)
            let peak = peakResidentBytes()
            let response = try await d.raw("POST", "/v1/sync", token: device.token,
                                           headers: ["Content-Encoding": "deflate", "Content-Type": HTTPAPI.syncMediaType], body: bomb)
            #expect(response.status == 400 && response.error?.code == "bad_frame", "\(response.status) \(String(describing: response.error))")
            #expect(peakResidentBytes() - peak < 128 << 20, "inflating stopped near the 8 MiB cap, not at 512 MiB")
            #expect(try await d.store.stateHash() == before)
        }
    }

    @Test func everyMalformedSyncBodyGetsASpecificError() async throws {
        var limits = ServerLimits()
        limits.maxSyncBodyBytes = 64 << 10
        try await Deployment.with(limits: limits) { d in
            try await d.seed(A)
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x52)
            try await device.syncOK()
            let valid = try device.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t")
            var foreign = valid
            foreign.replica = ReplicaID(0x99)
            var tooNew = valid
            tooNew.schemaVersion = Schema.version + 1
            let deflate = ["Content-Encoding": "deflate"]
            let cases: [(String, [String: String], [UInt8], Int, String)] = [
                ("no encoding", [:], SyncCodec.encodeRequest(valid), 415, "unsupported_encoding"),
                ("gzip", ["Content-Encoding": "gzip"], SyncCodec.encodeRequest(valid), 415, "unsupported_encoding"),
                ("empty", deflate, [], 400, "bad_frame"),
                ("not deflate", deflate, Array("hello, server".utf8), 400, "bad_frame"),
                ("truncated", deflate, Array(SyncCodec.encodeRequest(valid).dropLast(3)), 400, "bad_frame"),
                ("not a request", deflate, Deflate.compress([0xFF, 0xFF, 0xFF, 0x0F, 0x01]), 400, "malformed_message"),
                ("over the body cap", deflate, [UInt8](repeating: 7, count: 65 << 10), 413, "body_too_large"),
                ("another replica", deflate, SyncCodec.encodeRequest(foreign), 403, "replica_mismatch"),
                ("a newer schema", deflate, SyncCodec.encodeRequest(tooNew), 426, "schema_too_new"),
            ]
            let before = try await d.store.stateHash()
            for (name, headers, body, status, code) in cases {
                let response = try await d.raw("POST", "/v1/sync", token: device.token, headers: headers, body: body)
                #expect(response.status == status && response.error?.code == code, "\(name): \(response.status) \(String(describing: response.error))")
                #expect(response.error?.message.isEmpty == false, "\(name) says what was wrong")
            }
            #expect(try await d.store.stateHash() == before)
        }
    }

    @Test func malformedJSONAndUnknownRoutesAnswerJSONErrors() async throws {
        try await Deployment.with { d in
            let before = try await d.store.stateHash()
            let cases: [(String, String, [UInt8]?, Int, String)] = [
                ("POST", "/v1/admin/workers", Array("{".utf8), 400, "malformed_json"),
                ("POST", "/v1/admin/workers", Array(#"{"id":"x"}"#.utf8), 400, "malformed_json"),
                ("POST", "/v1/admin/workers", Array(#"{"id":"a b","name":"王","role":"villageAssistant","villages":[],"townships":[],"counties":[],"cities":[]}"#.utf8), 400, "invalid_value"),
                ("POST", "/v1/admin/workers", Array(#"{"id":"w1","name":"王","role":"villageAssistant","villages":["1"],"townships":[],"counties":[],"cities":[]}"#.utf8), 400, "invalid_value"),
                ("POST", "/v1/admin/workers", Array(#"{"id":"w1","name":"王","role":"villageAssistant","villages":[],"townships":[],"counties":[],"cities":[]}"#.utf8), 400, "invalid_argument"),
                ("POST", "/v1/admin/workers", [UInt8](repeating: 0x20, count: 70_000), 413, "body_too_large"),
                ("POST", "/v1/admin/workers/nobody/enrolment-codes", nil, 404, "unknown_worker"),
                ("POST", "/v1/admin/devices/dev-none/revoke", nil, 404, "unknown_device"),
                ("GET", "/v1/nothing", nil, 404, "not_found"),
                ("DELETE", "/v1/admin/security-log", nil, 405, "method_not_allowed"),
                ("GET", "/v1/admin/security-log?limit=0", nil, 400, "invalid_argument"),
            ]
            for (method, path, body, status, code) in cases {
                let response = try await d.raw(method, path, token: d.adminToken, headers: ["Content-Type": "application/json"], body: body)
                #expect(response.status == status && response.error?.code == code, "\(method) \(path): \(response.status) \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
            #expect(try await d.store.stateHash() == before)
            let enrol = try await d.raw("POST", "/v1/enrol", token: nil, body: Array(#"{"code":"AAAA-AAAA-AAAA","replica":"xyz","deviceName":"p"}"#.utf8))
            #expect(enrol.status == 400 && enrol.error?.code == "invalid_argument")
        }
    }

    @Test func aDeviceOverItsRateIsToldWhenToComeBack() async throws {
        var limits = ServerLimits()
        limits.deviceBurst = 3
        limits.deviceRequestsPerSecond = 0.25
        try await Deployment.with(limits: limits) { d in
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x53)
            let body = SyncCodec.encodeRequest(try device.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t"))
            for _ in 0..<3 { _ = try await device.transport.exchange(body) }
            do {
                _ = try await device.transport.exchange(body)
                Issue.record("a fourth request within the burst was served")
            } catch let error as TransportError {
                #expect(error.kind == .rateLimited(retryAfterSeconds: 4), "\(error)")
            }
            let raw = try await d.raw("POST", "/v1/sync", token: device.token, headers: ["Content-Encoding": "deflate"], body: body)
            #expect(raw.status == 429 && raw.headers["retry-after"] == "4" && raw.error?.code == "rate_limited")
            d.clock.advance(by: 4_000)
            _ = try await device.transport.exchange(body)
            // Another device has its own budget.
            let other = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0x54)
            let otherBody = SyncCodec.encodeRequest(try other.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t"))
            _ = try await other.transport.exchange(otherBody)
        }
    }
}
