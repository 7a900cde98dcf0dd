import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// The hostile API catalogue: every endpoint with the kinds of hostile content the OWASP API
/// Top 10 names, as data. Each case says the status and code it must get; `HostileAPITests`
/// runs them against a real server on loopback and checks the database changed by nothing
/// (or, for a change refused inside an answered sync, by its recorded rejection only).
enum HostileAPICatalogue {
    static var all: [HostileCase] {
        credentials + roles + syncRequests + enrolment + workers + codesAndDevices + filings + roster + logs + resolutions + routes
    }

    /// Every endpoint that takes a token, with a body that would otherwise be read.
    static let endpoints: [(method: String, path: String)] = [
        ("POST", HTTPAPI.syncPath), ("GET", "/v1/conflicts"), ("POST", "/v1/conflicts/resolve"),
        ("GET", "/v1/admin/workers"), ("POST", "/v1/admin/workers"), ("PUT", "/v1/admin/workers/va-spare"),
        ("POST", "/v1/admin/workers/va-spare/enrolment-codes"), ("POST", "/v1/admin/workers/va-spare/revoke-devices"),
        ("GET", "/v1/admin/devices"), ("POST", "/v1/admin/devices/dev-000000000000/revoke"), ("POST", "/v1/admin/filings"),
        ("POST", "/v1/admin/filings/00000000-0000-7000-8000-000000000000/withdraw"),
        ("POST", "/v1/admin/roster"), ("GET", "/v1/admin/audit-log?replica=00000000000000a1"), ("GET", "/v1/admin/security-log"),
        ("GET", "/v1/ops/overview"), ("GET", "/v1/ops/alerts"), ("GET", "/v1/ops/devices/dev-000000000000/history"),
    ]
    static var fieldEndpoints: Set<String> { [HTTPAPI.syncPath, "/v1/conflicts", "/v1/conflicts/resolve"] }

    /// Missing, malformed, forged and revoked credentials on every endpoint.
    static var credentials: [HostileCase] {
        let forged: [(String, Int, String, @Sendable (HostileStage) -> (String?, [String: String]))] = [
            ("no Authorization header", 401, "unauthenticated", { _ in (nil, [:]) }),
            ("Basic credentials", 401, "unauthenticated", { _ in (nil, ["Authorization": "Basic YWRtaW46YWRtaW4="]) }),
            ("a token never issued", 401, "invalid_token", { _ in ("not-a-token", [:]) }),
            ("a well-formed token never issued", 401, "invalid_token", { _ in ("dst_" + String(repeating: "A", count: 43), [:]) }),
            ("a 4 KiB token", 401, "invalid_token", { _ in (String(repeating: "x", count: 4_096), [:]) }),
            ("a revoked device's token", 401, "revoked", { s in (s.revokedToken, [:]) }),
        ]
        return endpoints.flatMap { endpoint in
            forged.map { name, status, code, credential in
                HostileCase("\(endpoint.method) \(endpoint.path): \(name)", .refused(status, code)) { s in
                    let (token, headers) = credential(s)
                    let body = endpoint.path == HTTPAPI.syncPath ? s.revokedSyncBody : Array("{}".utf8)
                    return HostileRequest(method: endpoint.method, path: endpoint.path, token: token,
                                          headers: headers.merging(["Content-Encoding": "deflate"]) { a, _ in a }, body: endpoint.method == "GET" ? nil : body)
                }
            }
        }
    }

    /// A field device's token on every administrator endpoint, the administrator's on the field ones.
    static var roles: [HostileCase] {
        endpoints.map { endpoint in
            let field = fieldEndpoints.contains(endpoint.path)
            let expected: HostileCase.Expected = !field ? .refused(403, "forbidden")
                : endpoint.path == HTTPAPI.syncPath ? .refused(403, "not_a_device") : .refused(403, "forbidden")
            return HostileCase("\(endpoint.method) \(endpoint.path): \(field ? "the administrator's" : "a field device's") token", expected) { s in
                HostileRequest(method: endpoint.method, path: endpoint.path, token: field ? s.adminToken : s.assistant.token,
                               headers: ["Content-Encoding": "deflate", "Content-Type": "application/json"],
                               body: endpoint.method == "GET" ? nil : endpoint.path == HTTPAPI.syncPath ? SyncCodec.encodeRequest(s.emptyRequest()) : Array("{}".utf8))
            }
        }
    }

    /// A JSON text nested `depth` arrays deep: a parser that recurses must stop, not overflow its stack.
    static func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }

    static var enrolment: [HostileCase] {
        func enrol(_ name: String, _ expected: HostileCase.Expected, _ body: @escaping @Sendable (HostileStage) -> [String: Any]) -> HostileCase {
            HostileCase("enrol: \(name)", expected) { s in try .json("POST", HTTPAPI.enrolPath, token: nil, object: body(s)) }
        }
        func text(_ name: String, _ expected: HostileCase.Expected, _ text: String) -> HostileCase {
            HostileCase("enrol: \(name)", expected) { _ in .json("POST", HTTPAPI.enrolPath, token: nil, text) }
        }
        let replica = "00000000000000c1"
        return [
            enrol("a code never issued", .refused(403, "invalid_code")) { _ in ["code": "K7QM-2XD9-HP4R", "replica": replica, "deviceName": "p"] },
            enrol("an empty code", .refused(403, "invalid_code")) { _ in ["code": "", "replica": replica, "deviceName": "p"] },
            enrol("a code of 10,000 characters", .refused(403, "invalid_code")) { _ in ["code": String(repeating: "K", count: 10_000), "replica": replica, "deviceName": "p"] },
            enrol("a used code replayed", .refused(403, "invalid_code")) { s in ["code": s.usedCode, "replica": replica, "deviceName": "p"] },
            enrol("an expired code", .refused(403, "invalid_code")) { s in ["code": s.expiredCode, "replica": replica, "deviceName": "p"] },
            enrol("replica xyz", .refused(400, "invalid_argument")) { s in ["code": s.unusedCode, "replica": "xyz", "deviceName": "p"] },
            enrol("replica of 17 digits", .refused(400, "invalid_argument")) { s in ["code": s.unusedCode, "replica": "0" + replica, "deviceName": "p"] },
            enrol("replica 0", .refused(409, "replica_taken")) { s in ["code": s.unusedCode, "replica": "0000000000000000", "deviceName": "p"] },
            enrol("the server's replica", .refused(409, "replica_taken")) { s in ["code": s.unusedCode, "replica": Deployment.serverReplica.description, "deviceName": "p"] },
            enrol("another worker's replica", .refused(409, "replica_taken")) { s in
                ["code": s.unusedCode, "replica": s.assistant.identity.replica.description, "deviceName": "p"]
            },
            enrol("an empty device name", .refused(400, "invalid_argument")) { s in ["code": s.unusedCode, "replica": replica, "deviceName": "   "] },
            enrol("a device name of 81 characters", .refused(400, "invalid_argument")) { s in
                ["code": s.unusedCode, "replica": replica, "deviceName": String(repeating: "机", count: 81)]
            },
            enrol("a device name with a line break", .refused(400, "invalid_argument")) { s in ["code": s.unusedCode, "replica": replica, "deviceName": "a\nb"] },
            enrol("an extra worker field", .refused(400, "unknown_field")) { s in ["code": s.unusedCode, "replica": replica, "deviceName": "p", "worker": "admin"] },
            enrol("an extra role field", .refused(400, "unknown_field")) { s in
                ["code": s.unusedCode, "replica": replica, "deviceName": "p", "role": "administrator"]
            },
            enrol("no device name", .refused(400, "malformed_json")) { s in ["code": s.unusedCode, "replica": replica] },
            enrol("a numeric code", .refused(400, "malformed_json")) { _ in ["code": 12_345, "replica": replica, "deviceName": "p"] },
            text("an array", .refused(400, "malformed_json"), "[]"),
            text("JSON null", .refused(400, "malformed_json"), "null"),
            text("arrays nested 30,000 deep", .refused(400, "malformed_json"), nested(30_000)),
            text("an empty body", .refused(400, "malformed_json"), ""),
            HostileCase("enrol: invalid UTF-8", .refused(400, "malformed_json")) { _ in
                HostileRequest(method: "POST", path: HTTPAPI.enrolPath, token: nil, headers: ["Content-Type": "application/json"],
                               body: Array(#"{"code":""#.utf8) + [0xFF, 0xFE] + Array(#"","replica":"00000000000000c1","deviceName":"p"}"#.utf8))
            },
        ]
    }
}
