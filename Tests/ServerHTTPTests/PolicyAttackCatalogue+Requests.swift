import FieldModel
import Foundation
import ServerHTTP
import SyncProtocol

/// Attacks through the other endpoints: the reviewer's resolution, the filings and the special
/// roster with a field device's token, and an administrator giving workers assignments that do
/// not fit their roles.
extension PolicyAttackCatalogue {
    static func resolve(_ s: PolicyStage, _ household: String, to status: WorkflowStatus, by: String) throws -> HostileRequest {
        let key = try s.key(household)
        return try .json("POST", "/v1/conflicts/resolve", token: s.device(by).token,
                         object: ["collection": "household", "id": key.id.description, "village": key.scope.description, "field": "status",
                                  "value": status.rawValue])
    }

    static var requests: [PolicyAttack] {
        [
            PolicyAttack(.villageAssistant, "lists the special roster", .refused(403, "forbidden")) { s in
                HostileRequest(method: "GET", path: "/v1/special-roster", token: s.device("va1").token)
            },
            PolicyAttack(.townshipReviewer, "lists the special roster as CSV", .refused(403, "forbidden")) { s in
                HostileRequest(method: "GET", path: "/v1/special-roster?format=csv", token: s.device("tr1").token)
            },
            PolicyAttack(.villageAssistant, "withdraws her filing through the administrator's route", .refused(403, "forbidden")) { s in
                HostileRequest(method: "POST", path: "/v1/admin/filings/\(try s.key("fOwn").id)/withdraw", token: s.device("va1").token)
            },
            PolicyAttack(.countyConfirmer, "withdraws a filing through the administrator's route", .refused(403, "forbidden")) { s in
                HostileRequest(method: "POST", path: "/v1/admin/filings/\(try s.key("fOwn").id)/withdraw", token: s.device("cc1").token)
            },
            PolicyAttack(.villageAssistant, "files a relative for a colleague through the administrator's route", .refused(403, "forbidden")) { s in
                let key = try s.key("hCovered")
                return try .json("POST", "/v1/admin/filings", token: s.device("va1").token,
                                 object: ["staff": s.worker("tr1").rawValue, "household": key.id.description, "village": key.scope.description,
                                          "relation": "sibling"])
            },
            PolicyAttack(.villageAssistant, "settles a contested household through the reviewer's endpoint", .refused(403, "role_not_allowed")) { s in
                try resolve(s, "hContested", to: .townshipReviewed, by: "va1")
            },
            PolicyAttack(.townshipReviewer, "settles a contested household she investigated through the reviewer's endpoint",
                         .refused(403, "separation_of_duties")) { s in
                try resolve(s, "hContested", to: .townshipReviewed, by: "tr1")
            },
            PolicyAttack(.townshipReviewer, "re-affirms an application's status through the reviewer's endpoint", .refused(400, "invalid_transition")) { s in
                try resolve(s, "hApplied", to: .applied, by: "tr2")
            },
            PolicyAttack(.countyConfirmer, "settles a contested household on the notice through the reviewer's endpoint",
                         .refused(403, "role_not_allowed")) { s in
                try resolve(s, "hContested", to: .publicNotice, by: "cc1")
            },
        ]
    }

    /// An administrator's worker document: `id` new unless given.
    static func worker(_ s: PolicyStage, _ method: String, _ role: Role, id: String? = nil, villages: [String] = [], townships: [String] = [],
                       counties: [String] = [], cities: [String] = []) throws -> HostileRequest {
        let id = id ?? "misfit-\(role.rawValue)-\(villages.count)\(townships.count)\(counties.count)\(cities.count)"
        let path = method == "PUT" ? "/v1/admin/workers/\(id)" : "/v1/admin/workers"
        return try .json(method, path, token: s.adminToken,
                         object: ["id": id, "name": "某", "role": role.rawValue, "villages": villages, "townships": townships,
                                  "counties": counties, "cities": cities])
    }

    /// Assignments must fit roles: anything else is refused (and logged).
    static var administrator: [PolicyAttack] {
        func misfit(_ name: String, _ build: @escaping @Sendable (PolicyStage) throws -> HostileRequest) -> PolicyAttack {
            PolicyAttack(nil, name, .refused(400, "invalid_argument"), build)
        }
        return [
            misfit("gives a village assistant a township") { s in try worker(s, "POST", .villageAssistant, townships: [s.A.township.description]) },
            misfit("gives a village assistant the city") { s in try worker(s, "POST", .villageAssistant, cities: [s.A.city.description]) },
            misfit("gives a village assistant a village and its township") { s in
                try worker(s, "POST", .villageAssistant, villages: [s.A.description], townships: [s.A.township.description])
            },
            misfit("gives a township reviewer villages") { s in try worker(s, "POST", .townshipReviewer, villages: [s.A.description]) },
            misfit("gives a township reviewer a county") { s in try worker(s, "POST", .townshipReviewer, counties: [s.A.county.description]) },
            misfit("gives a township reviewer nothing") { s in try worker(s, "POST", .townshipReviewer) },
            misfit("gives a county confirmer townships") { s in try worker(s, "POST", .countyConfirmer, townships: [s.A.township.description]) },
            misfit("gives a county confirmer the city") { s in try worker(s, "POST", .countyConfirmer, cities: [s.A.city.description]) },
            misfit("gives a city supervisor a county") { s in try worker(s, "POST", .citySupervisor, counties: [s.A.county.description]) },
            misfit("gives an administrator villages") { s in try worker(s, "POST", .administrator, villages: [s.A.description]) },
            misfit("widens an assistant to the whole city") { s in
                try worker(s, "PUT", .villageAssistant, id: s.worker("va2").rawValue, villages: [s.A.description], cities: [s.A.city.description])
            },
            misfit("gives a township reviewer a village besides her township") { s in
                try worker(s, "PUT", .townshipReviewer, id: s.worker("tr2").rawValue, villages: [s.B.description], townships: [s.A.township.description])
            },
        ]
    }
}
