import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// The reviewer's resolution endpoint with hostile documents, and requests for routes that do
/// not exist or methods a route does not take.
extension HostileAPICatalogue {
    static var resolutions: [HostileCase] {
        func resolve(_ name: String, _ expected: HostileCase.Expected, by assistant: Bool = false,
                     _ changes: @escaping @Sendable (HostileStage) -> [String: Any]) -> HostileCase {
            HostileCase("POST /v1/conflicts/resolve: \(name)", expected) { s in
                var document: [String: Any] = ["collection": "household", "id": s.conflicted.key.id.description, "village": s.A.description,
                                               "field": "monthlyIncomeFen", "value": 42_000]
                for (key, value) in changes(s) { document[key] = value }
                return try .json("POST", "/v1/conflicts/resolve", token: assistant ? s.assistant.token : s.reviewer.token, object: document)
            }
        }
        func text(_ name: String, _ expected: HostileCase.Expected, _ body: String) -> HostileCase {
            HostileCase("POST /v1/conflicts/resolve: \(name)", expected) { s in .json("POST", "/v1/conflicts/resolve", token: s.reviewer.token, body) }
        }
        return [
            resolve("collection ghosts", .refused(400, "invalid_argument")) { _ in ["collection": "ghosts"] },
            resolve("an id that is not a UUID", .refused(400, "invalid_argument")) { _ in ["id": "not-a-uuid"] },
            resolve("an empty id", .refused(400, "invalid_argument")) { _ in ["id": ""] },
            resolve("village abc", .refused(400, "invalid_value")) { _ in ["village": "abc"] },
            resolve("field income", .refused(400, "unknown_field")) { _ in ["field": "income"] },
            resolve("an empty field", .refused(400, "unknown_field")) { _ in ["field": ""] },
            resolve("an income as text", .refused(400, "invalid_value")) { _ in ["value": "a lot"] },
            resolve("an income of -1 fen", .refused(400, "invalid_value")) { _ in ["value": -1] },
            resolve("an income of Int64.max", .refused(400, "invalid_value")) { _ in ["value": Int64.max] },
            resolve("an income of 4.5 fen", .refused(400, "malformed_json")) { _ in ["value": 4.5] },
            resolve("an income as an object", .refused(400, "malformed_json")) { _ in ["value": ["fen": 1]] },
            resolve("a household that does not exist", .refused(404, "unknown_record")) { s in ["id": s.freshID().description] },
            resolve("a household of another township", .refused(403, "outside_scope")) { s in
                ["id": s.householdFar.key.id.description, "village": s.far.description]
            },
            resolve("a household of village A named as village B's", .refused(400, "wrong_record")) { s in ["village": s.B.description] },
            resolve("a member's id named as a household", .refused(400, "wrong_record")) { s in ["id": s.member.key.id.description] },
            resolve("by a village assistant", .refused(403, "role_not_allowed"), by: true) { _ in [:] },
            resolve("the application date", .refused(400, "immutable")) { s in ["field": "appliedOn", "value": s.today.description] },
            resolve("the coverage date, by a township reviewer", .refused(403, "role_not_allowed")) { s in ["field": "coveredSince", "value": s.today.description] },
            resolve("the status to covered, by a township reviewer", .refused(403, "role_not_allowed")) { _ in ["field": "status", "value": "covered"] },
            resolve("a relative's household, by the assistant", .refused(403, "recusal"), by: true) { s in
                ["id": s.relative.key.id.description]
            },
            resolve("an extra author field", .refused(400, "unknown_field")) { _ in ["author": "tr-boss"] },
            resolve("an extra dot field", .refused(400, "unknown_field")) { _ in ["dot": "5e12:1"] },
            text("arrays nested 30,000 deep", .refused(400, "malformed_json"), nested(30_000)),
            text("a body of 64 KiB + 1", .refused(413, "body_too_large"), String(repeating: " ", count: (64 << 10) + 1)),
            text("a truncated document", .refused(400, "malformed_json"), #"{"collection":"household","id":"#),
        ]
    }

    static var routes: [HostileCase] {
        func call(_ method: String, _ path: String, _ expected: HostileCase.Expected) -> HostileCase {
            HostileCase("\(method) \(path.prefix(60)): no such route", expected) { s in HostileRequest(method: method, path: path, token: s.adminToken) }
        }
        return [
            call("GET", "/v1/admin/workers/../../../etc/passwd", .refused(404, "not_found")),
            // A path the server has, with a method it does not take: 405 (OpenAPIRoutesTests checks Allow).
            call("DELETE", "/v1/admin/workers/va-spare", .refused(405, "method_not_allowed")),
            call("PATCH", HTTPAPI.syncPath, .refused(405, "method_not_allowed")),
            call("GET", "/v1/" + String(repeating: "a", count: 4_000), .refused(404, "not_found")),
            call("GET", "/v2/sync", .refused(404, "not_found")),
        ]
    }
}
