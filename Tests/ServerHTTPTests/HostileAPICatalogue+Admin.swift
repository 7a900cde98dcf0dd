import FieldModel
import Foundation
import SyncCore

/// The administrator's endpoints with hostile documents, as the administrator (a stolen or
/// careless administrator token must not break the directory either).
extension HostileAPICatalogue {
    static func worker(_ changes: [String: Any] = [:]) -> [String: Any] {
        var document: [String: Any] = ["id": "va-new", "name": "王芳", "role": "villageAssistant", "villages": [ScopeFixture.codes[0].description],
                                       "townships": [], "counties": [], "cities": []]
        for (key, value) in changes { document[key] = value }
        return document
    }

    static var workers: [HostileCase] {
        func create(_ name: String, _ expected: HostileCase.Expected, _ changes: [String: Any]) -> HostileCase {
            let document = String(decoding: try! JSONSerialization.data(withJSONObject: worker(changes), options: [.sortedKeys]), as: UTF8.self)
            return HostileCase("POST /v1/admin/workers: \(name)", expected) { s in .json("POST", "/v1/admin/workers", token: s.adminToken, document) }
        }
        func update(_ name: String, _ expected: HostileCase.Expected, path: String? = nil, _ changes: @escaping @Sendable (HostileStage) -> [String: Any]) -> HostileCase {
            HostileCase("PUT /v1/admin/workers/{id}: \(name)", expected) { s in
                var document = worker(["id": s.spareWorker.id.rawValue])
                for (key, value) in changes(s) { document[key] = value }
                return try .json("PUT", "/v1/admin/workers/\(path ?? s.spareWorker.id.rawValue)", token: s.adminToken, object: document)
            }
        }
        return [
            create("an empty id", .refused(400, "invalid_value"), ["id": ""]),
            create("an id of 65 bytes", .refused(400, "invalid_value"), ["id": String(repeating: "w", count: 65)]),
            create("an id with a slash", .refused(400, "invalid_value"), ["id": "li/hua"]),
            create("an id in Chinese", .refused(400, "invalid_value"), ["id": "李华"]),
            create("an empty name", .refused(400, "invalid_value"), ["name": ""]),
            create("a name of 41 characters", .refused(400, "invalid_value"), ["name": String(repeating: "王", count: 41)]),
            create("a name with a NUL", .refused(400, "invalid_value"), ["name": "王\u{0}芳"]),
            create("role superuser", .refused(400, "invalid_value"), ["role": "superuser"]),
            create("an administrator with villages", .refused(400, "invalid_argument"), ["role": "administrator"]),
            create("an assistant with no assignment", .refused(400, "invalid_argument"), ["villages": []]),
            create("a village code of 13 digits", .refused(400, "invalid_value"), ["villages": ["1408211002011"]]),
            create("a village code with no township", .refused(400, "invalid_value"), ["villages": ["140821000201"]]),
            create("a township code of 8 digits", .refused(400, "invalid_value"), ["townships": ["14082110"]]),
            create("county 000000", .refused(400, "invalid_value"), ["counties": ["000000"]]),
            create("city abcd", .refused(400, "invalid_value"), ["cities": ["abcd"]]),
            // Codes whose number would read back shorter ("0187" as 187): no province starts with 0.
            create("city 0187", .refused(400, "invalid_value"), ["role": "citySupervisor", "villages": [], "cities": ["0187"]]),
            create("township 000000001", .refused(400, "invalid_value"), ["role": "townshipReviewer", "villages": [], "townships": ["000000001"]]),
            create("township 140821000", .refused(400, "invalid_value"), ["role": "townshipReviewer", "villages": [], "townships": ["140821000"]]),
            create("villages as a string", .refused(400, "malformed_json"), ["villages": "140821100201"]),
            create("an extra tokenHash field", .refused(400, "unknown_field"), ["tokenHash": "00"]),
            create("an extra status field", .refused(400, "unknown_field"), ["status": "active"]),
            create("the id of an existing worker", .refused(409, "worker_exists"), ["id": ScopeFixture.assistant(ScopeFixture.codes[0]).id.rawValue]),
            create("the administrator's id", .refused(409, "worker_exists"), ["id": "admin", "role": "administrator", "villages": []]),
            HostileCase("POST /v1/admin/workers: JSON null", .refused(400, "malformed_json")) { s in .json("POST", "/v1/admin/workers", token: s.adminToken, "null") },
            HostileCase("POST /v1/admin/workers: arrays nested 30,000 deep", .refused(400, "malformed_json")) { s in
                .json("POST", "/v1/admin/workers", token: s.adminToken, nested(30_000))
            },
            update("a body naming another worker", .refused(409, "id_mismatch")) { _ in ["id": "somebody-else"] },
            update("a worker that does not exist", .refused(404, "unknown_worker"), path: "nobody") { _ in ["id": "nobody"] },
            update("role root", .refused(400, "invalid_value")) { _ in ["role": "root"] },
            update("an extra field", .refused(400, "unknown_field")) { _ in ["revokedAtMilliseconds": 0] },
        ]
    }

    static var codesAndDevices: [HostileCase] {
        func code(_ name: String, _ expected: HostileCase.Expected, worker: String? = nil, _ body: String) -> HostileCase {
            HostileCase("POST /v1/admin/workers/{id}/enrolment-codes: \(name)", expected) { s in
                .json("POST", "/v1/admin/workers/\(worker ?? s.spareWorker.id.rawValue)/enrolment-codes", token: s.adminToken, body)
            }
        }
        return [
            code("a lifetime of 0 hours", .refused(400, "invalid_argument"), #"{"lifetimeHours":0}"#),
            code("a lifetime of -1 hours", .refused(400, "invalid_argument"), #"{"lifetimeHours":-1}"#),
            code("a lifetime of 721 hours", .refused(400, "invalid_argument"), #"{"lifetimeHours":721}"#),
            code("a lifetime of Int64.max hours", .refused(400, "invalid_argument"), #"{"lifetimeHours":9223372036854775807}"#),
            code("a lifetime of Int64.min hours", .refused(400, "invalid_argument"), #"{"lifetimeHours":-9223372036854775808}"#),
            code("a lifetime of 1e30 hours", .refused(400, "malformed_json"), #"{"lifetimeHours":1e30}"#),
            code("a lifetime as a string", .refused(400, "malformed_json"), #"{"lifetimeHours":"3"}"#),
            code("an extra worker field", .refused(400, "unknown_field"), #"{"worker":"admin"}"#),
            code("a worker that does not exist", .refused(404, "unknown_worker"), worker: "nobody", "{}"),
            code("the administrator", .refused(409, "not_field_staff"), worker: "admin", "{}"),
            code("a worker id of 300 characters", .refused(404, "unknown_worker"), worker: String(repeating: "w", count: 300), "{}"),
            HostileCase("POST /v1/admin/workers/{id}/revoke-devices: a worker that does not exist", .refused(404, "unknown_worker")) { s in
                HostileRequest(method: "POST", path: "/v1/admin/workers/nobody/revoke-devices", token: s.adminToken)
            },
            HostileCase("POST /v1/admin/devices/{id}/revoke: a device that does not exist", .refused(404, "unknown_device")) { s in
                HostileRequest(method: "POST", path: "/v1/admin/devices/dev-ffffffffffff/revoke", token: s.adminToken)
            },
            HostileCase("POST /v1/admin/devices/{id}/revoke: an id of 2,000 characters", .refused(404, "unknown_device")) { s in
                HostileRequest(method: "POST", path: "/v1/admin/devices/\(String(repeating: "d", count: 2_000))/revoke", token: s.adminToken)
            },
        ]
    }

    static var filings: [HostileCase] {
        func file(_ name: String, _ expected: HostileCase.Expected, _ changes: @escaping @Sendable (HostileStage) -> [String: Any]) -> HostileCase {
            HostileCase("POST /v1/admin/filings: \(name)", expected) { s in
                var document: [String: Any] = ["staff": s.spareWorker.id.rawValue, "household": s.household.key.id.description,
                                               "village": s.A.description, "relation": "sibling"]
                for (key, value) in changes(s) { document[key] = value }
                return try .json("POST", "/v1/admin/filings", token: s.adminToken, object: document)
            }
        }
        return [
            file("a staff member who does not exist", .refused(404, "unknown_worker")) { _ in ["staff": "nobody"] },
            file("an empty staff id", .refused(400, "invalid_value")) { _ in ["staff": ""] },
            file("a household that is not a UUID", .refused(400, "invalid_argument")) { _ in ["household": "x"] },
            file("a household that does not exist", .refused(404, "unknown_record")) { s in ["household": s.freshID().description] },
            file("a household of another village", .refused(400, "wrong_record")) { s in ["household": s.householdB.key.id.description] },
            file("a member's id as the household", .refused(404, "unknown_record")) { s in ["household": s.member.key.id.description] },
            file("village abc", .refused(400, "invalid_value")) { _ in ["village": "abc"] },
            file("relation friend", .refused(400, "invalid_argument")) { _ in ["relation": "friend"] },
            file("filed on yesterday", .refused(400, "invalid_argument")) { _ in ["filedOn": "yesterday"] },
            file("filed in 2999", .refused(400, "invalid_value")) { _ in ["filedOn": "2999-01-01"] },
            file("filed in 1800", .refused(400, "invalid_value")) { _ in ["filedOn": "1800-01-01"] },
            file("an extra id field", .refused(400, "unknown_field")) { s in ["id": s.freshID().description] },
            file("no relation", .refused(400, "malformed_json")) { _ in ["relation": NSNull()] },
        ]
    }

    static var roster: [HostileCase] {
        func post(_ name: String, _ expected: HostileCase.Expected, _ body: @escaping @Sendable (HostileStage) -> [UInt8]) -> HostileCase {
            HostileCase("POST /v1/admin/roster: \(name)", expected) { s in
                HostileRequest(method: "POST", path: "/v1/admin/roster", token: s.adminToken, headers: ["Content-Type": "text/csv"], body: body(s))
            }
        }
        func row(_ name: String, column: String, _ value: String) -> HostileCase {
            post("a row with \(name)", .refused(422, "invalid_roster")) { s in Array(s.roster(column, value).utf8) }
        }
        return [
            post("an empty body", .refused(422, "invalid_roster")) { _ in [] },
            post("binary noise", .refused(422, "invalid_roster")) { _ in (0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) } },
            post("a header only", .refused(422, "invalid_roster")) { s in Array(String(s.importedRoster.prefix { $0 != "\r\n" && $0 != "\n" }).utf8) },
            post("a file imported before", .refused(409, "roster_refused")) { s in Array(s.importedRoster.utf8) },
            post("a body of 64 MiB + 1", .refused(413, "body_too_large")) { _ in [UInt8](repeating: 0x2C, count: (64 << 20) + 1) },
            row("a forged ID number", column: "id_number", "140821196503121230"),
            row("a negative income", column: "monthly_income", "-420"),
            row("an absurd income", column: "monthly_income", "99999999999999"),
            row("an application dated 2999", column: "applied_on", "2999-01-01"),
            row("an application dated 1850", column: "applied_on", "1850-01-01"),
            row("a village code of 11 digits", column: "village", "14082110020"),
            row("an unknown category", column: "category", "platinum"),
        ]
    }

    static var logs: [HostileCase] {
        func get(_ name: String, _ expected: HostileCase.Expected, _ path: String) -> HostileCase {
            HostileCase("GET \(path): \(name)", expected) { s in HostileRequest(method: "GET", path: path, token: s.adminToken) }
        }
        let replica = "00000000000000a1"
        return [
            get("no replica", .refused(400, "invalid_argument"), "/v1/admin/audit-log"),
            get("replica zz", .refused(400, "invalid_argument"), "/v1/admin/audit-log?replica=zz"),
            get("limit 0", .refused(400, "invalid_argument"), "/v1/admin/audit-log?replica=\(replica)&limit=0"),
            get("limit 100,001", .refused(400, "invalid_argument"), "/v1/admin/audit-log?replica=\(replica)&limit=100001"),
            get("limit abc", .refused(400, "invalid_argument"), "/v1/admin/audit-log?replica=\(replica)&limit=abc"),
            get("limit -5", .refused(400, "invalid_argument"), "/v1/admin/audit-log?replica=\(replica)&limit=-5"),
            get("limit 0", .refused(400, "invalid_argument"), "/v1/admin/security-log?limit=0"),
            get("limit 10,001", .refused(400, "invalid_argument"), "/v1/admin/security-log?limit=10001"),
            get("limit abc", .refused(400, "invalid_argument"), "/v1/admin/security-log?limit=abc"),
            get("limit 2^64", .refused(400, "invalid_argument"), "/v1/admin/security-log?limit=18446744073709551616"),
            get("a device that does not exist", .refused(404, "unknown_device"), "/v1/ops/devices/dev-ffffffffffff/history"),
            HostileCase("GET /v1/ops/devices/{id}/history: limit abc", .refused(400, "invalid_argument")) { s in
                HostileRequest(method: "GET", path: "/v1/ops/devices/\(s.assistant.deviceID)/history?limit=abc", token: s.adminToken)
            },
            HostileCase("GET /v1/ops/devices/{id}/history: limit 0", .refused(400, "invalid_argument")) { s in
                HostileRequest(method: "GET", path: "/v1/ops/devices/\(s.assistant.deviceID)/history?limit=0", token: s.adminToken)
            },
        ]
    }
}
