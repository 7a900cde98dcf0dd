import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// One attack on the policy: who makes it, what it sends, and the refusal it must get.
struct PolicyAttack: Sendable, CustomStringConvertible {
    let name: String
    /// The attacker's role (nil: the administrator).
    let role: Role?
    let expected: HostileCase.Expected
    let request: @Sendable (PolicyStage) throws -> HostileRequest

    init(_ role: Role?, _ name: String, _ expected: HostileCase.Expected, _ request: @escaping @Sendable (PolicyStage) throws -> HostileRequest) {
        self.role = role
        self.name = name
        self.expected = expected
        self.request = request
    }

    /// A forged change refused inside an answered sync with `reason`.
    static func sync(_ role: Role, _ name: String, _ reason: String, _ request: @escaping @Sendable (PolicyStage) throws -> HostileRequest) -> PolicyAttack {
        PolicyAttack(role, name, .rejected([reason]), request)
    }

    /// The code the security log's entry for the refusal names.
    var loggedCode: String {
        switch expected {
        case .rejected(let reasons): reasons[0]
        case .refused(_, let code): code
        }
    }

    var description: String { "\(role?.rawValue ?? "administrator"): \(name) → \(expected)" }
}

/// The policy attack catalogue: every way a single device (or a misused administrator token)
/// tries to get past the policy — workflow order against stored state, separation of duties,
/// the notice gates, deletes, recusal, filings, the creation budget, assignments — per role,
/// each with the refusal it must get (SPEC §6, §12). `PolicyAttackTests` plays them through
/// the real HTTP API with real tokens, on SQLite and on PostgreSQL.
enum PolicyAttackCatalogue {
    static var all: [PolicyAttack] { assistant + township + county + supervisor + requests + administrator }

    static let status = Schema.household.id("status")

    /// Village assistants (协理员): they take applications and investigate, nothing beyond.
    static var assistant: [PolicyAttack] {
        let va = Role.villageAssistant
        return [
            .sync(va, "moves an untouched application straight to covered", "role_not_allowed") { s in try s.step(.applied, .covered, on: "hApplied", by: "va1") },
            .sync(va, "re-affirms applied with nothing to resolve", "invalid_transition") { s in try s.step(.applied, .applied, on: "hApplied", by: "va1") },
            .sync(va, "claims a reviewed household is still applied and investigates it", "status_mismatch") { s in
                try s.step(.applied, .investigated, on: "hReviewed", by: "va1")
            },
            .sync(va, "starts a periodic review of an application", "status_mismatch") { s in try s.step(.covered, .underReview, on: "hApplied", by: "va1") },
            .sync(va, "records the township review", "role_not_allowed") { s in try s.step(.investigated, .townshipReviewed, on: "hInv", by: "va2") },
            .sync(va, "puts a household on public notice", "role_not_allowed") { s in try s.step(.townshipReviewed, .publicNotice, on: "hReviewed", by: "va1") },
            .sync(va, "confirms at the county", "role_not_allowed") { s in try s.step(.publicNotice, .countyConfirmed, on: "hReady", by: "va1") },
            .sync(va, "covers a confirmed household", "role_not_allowed") { s in try s.step(.countyConfirmed, .covered, on: "hConfirmed", by: "va1") },
            .sync(va, "exits a household after a review", "role_not_allowed") { s in try s.step(.underReview, .exited, on: "hUnderReview", by: "va1") },
            .sync(va, "declines an investigated household", "role_not_allowed") { s in try s.step(.investigated, .declined, on: "hInv", by: "va1") },
            .sync(va, "adjusts a household under review", "role_not_allowed") { s in try s.step(.underReview, .adjusted, on: "hUnderReview", by: "va1") },
            .sync(va, "deletes a colleague's untouched application", "not_deletable") { s in try s.push(.delete, on: "hApplied", by: "va2") },
            .sync(va, "deletes her own application after its investigation", "not_deletable") { s in try s.push(.delete, on: "hInv", by: "va1") },
            .sync(va, "deletes a covered household from the roll", "not_deletable") { s in try s.push(.delete, on: "hCovered", by: "va1") },
            .sync(va, "deletes her application from a stale view (investigated since)", "not_deletable") { s in
                let created = try s.state("hApplied2").created!
                return try s.push(.delete, on: "hApplied2", by: "va1", context: VersionVector([(created.dot.replica, created.dot.counter)]))
            },
            .sync(va, "deletes a member of a covered household", "not_deletable") { s in try s.push(.delete, on: "mCovered", by: "va1") },
            .sync(va, "deletes a member she entered, after the household's investigation", "not_deletable") { s in try s.push(.delete, on: "mInv", by: "va1") },
            .sync(va, "deletes a colleague's member of an untouched application", "not_deletable") { s in try s.push(.delete, on: "mApplied", by: "va2") },
            .sync(va, "deletes a visit", "not_deletable") { s in try s.push(.delete, on: "vScreening", by: "va1") },
            .sync(va, "deletes her own filing", "not_deletable") { s in try s.push(.delete, on: "fOwn", by: "va1") },
            .sync(va, "deletes a public notice", "role_not_allowed") { s in try s.push(.delete, on: "nReady", by: "va1") },
            .sync(va, "deletes her household whose status is contested", "not_deletable") { s in try s.push(.delete, on: "hContested", by: "va1") },
            .sync(va, "deletes her relative's application", "recusal") { s in try s.push(.delete, on: "hRelApplied", by: "va1") },
            .sync(va, "investigates her relative's application", "recusal") { s in try s.step(.applied, .investigated, on: "hRelApplied", by: "va1") },
            .sync(va, "adds a member to her relative's household", "recusal") { s in
                var m = ScopeFixture.village(s.A).members[0]
                m.id = s.freshID()
                m.householdID = try s.key("hRelApplied").id
                m.village = s.A
                return try s.create(m, by: "va1")
            },
            .sync(va, "deletes a member of her relative's household", "recusal") { s in try s.push(.delete, on: "mRel", by: "va1") },
            .sync(va, "changes the income of a relative's covered household", "recusal") { s in try s.set("monthlyIncomeFen", .int(100), on: "hRelative", by: "va1") },
            .sync(va, "records the investigation visit of her relative's household", "recusal") { s in
                let visit = Visit(id: s.freshID(), householdID: try s.key("hRelApplied").id, village: s.A, kind: .applicationInvestigation,
                                  worker: s.worker("va1"), date: s.today, monthlyIncomeFen: 10_000, assetsFen: 0, livingCondition: .severe,
                                  recommendation: .include, notes: "入户调查")
                return try s.create(visit, by: "va1")
            },
            .sync(va, "starts the periodic review of her relative's household", "recusal") { s in try s.step(.covered, .underReview, on: "hRelative", by: "va1") },
            .sync(va, "files a relative naming a township reviewer", "role_not_allowed") { s in try s.create(try s.filing(of: "hCovered", staff: s.worker("tr1")), by: "va1") },
            .sync(va, "files a relative naming the administrator", "role_not_allowed") { s in
                try s.create(try s.filing(of: "hCovered", staff: WorkerID(unchecked: "admin")), by: "va1")
            },
            .sync(va, "files a relative naming only a person", "role_not_allowed") { s in
                try s.create(try s.filing(of: "hCovered", staff: nil, staffName: "王村委"), by: "va1")
            },
            .sync(va, "files her own relative as already withdrawn", "role_not_allowed") { s in
                var f = try s.filing(of: "hCovered", staff: s.worker("va1"))
                f.withdrawnOn = s.today
                return try s.create(f, by: "va1")
            },
            .sync(va, "withdraws her own filing", "role_not_allowed") { s in try s.set("withdrawnOn", .date(s.today), on: "fOwn", by: "va1") },
            .sync(va, "publishes a public notice", "role_not_allowed") { s in try s.create(try s.notice(listing: ["hReviewed"]), by: "va1") },
            .sync(va, "records objections on a notice", "role_not_allowed") { s in try s.set("objectionCount", .int(0), on: "nObjection", by: "va1") },
            .sync(va, "marks a notice's objections resolved", "role_not_allowed") { s in try s.set("resolvedObjectionCount", .int(1), on: "nObjection", by: "va1") },
            .sync(va, "creates a household already covered", "invalid_transition") { s in
                var h = s.application()
                h.status = .covered
                return try s.create(h, by: "va1")
            },
            .sync(va, "creates an application with its coverage date", "role_not_allowed") { s in
                var h = s.application()
                h.coveredSince = s.today
                return try s.create(h, by: "va1")
            },
            .sync(va, "gives a disability grade to a member with no disability", "invalid_value") { s in
                try s.set("disabilityGrade", .int(2), on: "mApplied", by: "va1")
            },
            .sync(va, "names a disability with no grade", "invalid_value") { s in try s.set("disabilityKind", .text("physical"), on: "mApplied", by: "va1") },
            .sync(va, "creates a fourth household in a day from one device", "creation_budget") { s in try s.create(s.application(in: s.B), by: "vaB1") },
            .sync(va, "creates the village's sixth household of the day from another device", "creation_budget") { s in
                try s.create(s.application(in: s.B), by: "vaB2")
            },
            .sync(va, "of another village investigates a household", "outside_scope") { s in try s.step(.applied, .investigated, on: "hApplied", by: "vaB1") },
        ]
    }

    /// Township reviewers (乡镇审核): investigate, review, publish the notice, decline before it.
    static var township: [PolicyAttack] {
        let tr = Role.townshipReviewer
        return [
            .sync(tr, "moves an application straight to covered", "role_not_allowed") { s in try s.step(.applied, .covered, on: "hApplied", by: "tr2") },
            .sync(tr, "claims a reviewed household is still investigated and declines it", "status_mismatch") { s in
                try s.step(.investigated, .declined, on: "hReviewed", by: "tr3")
            },
            .sync(tr, "puts an investigated household on notice as if reviewed", "status_mismatch") { s in
                try s.step(.townshipReviewed, .publicNotice, on: "hInv", by: "tr2")
            },
            .sync(tr, "re-affirms investigated with nothing to resolve", "invalid_transition") { s in try s.step(.investigated, .investigated, on: "hInv", by: "tr2") },
            .sync(tr, "re-affirms public notice with nothing to resolve", "invalid_transition") { s in try s.step(.publicNotice, .publicNotice, on: "hReady", by: "tr2") },
            .sync(tr, "reviews the household she investigated", "separation_of_duties") { s in
                try s.step(.investigated, .townshipReviewed, on: "hInv", by: "tr1")
            },
            .sync(tr, "declines the household she investigated", "separation_of_duties") { s in try s.step(.investigated, .declined, on: "hInv", by: "tr1") },
            .sync(tr, "declines after the township review a household she investigated", "separation_of_duties") { s in
                try s.step(.townshipReviewed, .declined, on: "hReviewed", by: "tr1")
            },
            .sync(tr, "puts a household on notice with no notice", "notice_not_ready") { s in
                try s.step(.townshipReviewed, .publicNotice, on: "hReviewed", by: "tr3")
            },
            .sync(tr, "puts a household on notice before its notice starts", "notice_not_ready") { s in
                try s.step(.townshipReviewed, .publicNotice, on: "hReviewedFuture", by: "tr3")
            },
            .sync(tr, "puts a new application on the notice of the one declined", "notice_not_ready") { s in
                try s.step(.townshipReviewed, .publicNotice, on: "hReapplied", by: "tr2")
            },
            .sync(tr, "confirms at the county", "role_not_allowed") { s in try s.step(.publicNotice, .countyConfirmed, on: "hReady", by: "tr2") },
            .sync(tr, "declines at the notice stage", "role_not_allowed") { s in try s.step(.publicNotice, .declined, on: "hReady", by: "tr2") },
            .sync(tr, "covers a confirmed household", "role_not_allowed") { s in try s.step(.countyConfirmed, .covered, on: "hConfirmed", by: "tr2") },
            .sync(tr, "adjusts after a review", "role_not_allowed") { s in try s.step(.underReview, .adjusted, on: "hUnderReview", by: "tr2") },
            .sync(tr, "exits a household after a review", "role_not_allowed") { s in try s.step(.underReview, .exited, on: "hUnderReview", by: "tr2") },
            .sync(tr, "steps a contested household on", "status_conflict") { s in try s.step(.townshipReviewed, .publicNotice, on: "hContested", by: "tr2") },
            .sync(tr, "settles a contested household on a value not among its values", "status_conflict") { s in
                try s.step(.publicNotice, .publicNotice, on: "hContested", by: "tr2")
            },
            .sync(tr, "settles on the township review a contested household she investigated", "separation_of_duties") { s in
                try s.step(.townshipReviewed, .townshipReviewed, on: "hContested", by: "tr1")
            },
            .sync(tr, "from a stale view moves a contested household to the notice without a notice", "notice_not_ready") { s in
                let state = try s.state("hContested")
                let other = s.device("tr3").identity.replica
                let seen = VersionVector(state.version.entries.filter { $0.replica != other }.map { ($0.replica, $0.counter) })
                return try s.step(.townshipReviewed, .publicNotice, on: "hContested", by: "tr2", context: seen)
            },
            .sync(tr, "claims from a view that never was", "status_mismatch") { s in
                let created = try s.state("hReviewed").created!
                return try s.step(.investigated, .townshipReviewed, on: "hReviewed", by: "tr3",
                                  context: VersionVector([(created.dot.replica, created.dot.counter)]))
            },
            .sync(tr, "filed as a relative, reviews the household", "recusal") { s in try s.step(.investigated, .townshipReviewed, on: "hRelReviewed", by: "tr1") },
            .sync(tr, "publishes a notice of three days", "invalid_value") { s in try s.create(try s.notice(listing: ["hReviewed"], days: 3), by: "tr3") },
            .sync(tr, "publishes a notice that ends before it starts", "invalid_value") { s in
                try s.create(try s.notice(listing: ["hReviewed"], startsIn: 1, days: -1), by: "tr3")
            },
            .sync(tr, "resolves more objections than were raised", "invalid_value") { s in try s.set("resolvedObjectionCount", .int(5), on: "nObjection", by: "tr2") },
            .sync(tr, "lists another village's household on a notice", "wrong_record") { s in
                try s.create(try s.notice(listing: ["hReviewed"], in: s.B), by: "tr3")
            },
            .sync(tr, "files a relative naming an assistant", "role_not_allowed") { s in try s.create(try s.filing(of: "hCovered", staff: s.worker("va1")), by: "tr1") },
            .sync(tr, "withdraws an assistant's filing", "role_not_allowed") { s in try s.set("withdrawnOn", .date(s.today), on: "fOwn", by: "tr2") },
            .sync(tr, "deletes a public notice", "not_deletable") { s in try s.push(.delete, on: "nReady", by: "tr2") },
            .sync(tr, "deletes a filing", "not_deletable") { s in try s.push(.delete, on: "fOwn", by: "tr2") },
            .sync(tr, "deletes an assistant's application", "not_deletable") { s in try s.push(.delete, on: "hApplied", by: "tr2") },
            .sync(tr, "deletes a household under review", "not_deletable") { s in try s.push(.delete, on: "hUnderReview", by: "tr2") },
            .sync(tr, "sets the coverage date", "role_not_allowed") { s in try s.set("coveredSince", .date(s.today), on: "hConfirmed", by: "tr2") },
        ]
    }

    /// County confirmers (县级确认): confirm, cover, adjust, exit, decline at the notice stage.
    static var county: [PolicyAttack] {
        let cc = Role.countyConfirmer
        return [
            .sync(cc, "re-affirms covered on an application", "invalid_transition") { s in try s.step(.covered, .covered, on: "hApplied", by: "cc1") },
            .sync(cc, "creates a household", "role_not_allowed") { s in try s.create(s.application(), by: "cc1") },
            .sync(cc, "confirms an application as if it were on notice", "status_mismatch") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hApplied", by: "cc1")
            },
            .sync(cc, "covers an application as if confirmed", "status_mismatch") { s in try s.step(.countyConfirmed, .covered, on: "hApplied", by: "cc1") },
            .sync(cc, "exits an application as if under review", "status_mismatch") { s in try s.step(.underReview, .exited, on: "hApplied", by: "cc1") },
            .sync(cc, "confirms a household still at the township review", "status_mismatch") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hReviewed", by: "cc1")
            },
            .sync(cc, "confirms with an empty context", "status_mismatch") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hReady", by: "cc1", context: VersionVector())
            },
            .sync(cc, "confirms before the notice period has ended", "notice_not_ready") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hRunning", by: "cc1")
            },
            .sync(cc, "confirms with an objection unresolved", "notice_not_ready") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hObjection", by: "cc1")
            },
            .sync(cc, "confirms a contested household", "status_conflict") { s in try s.step(.publicNotice, .countyConfirmed, on: "hContested", by: "cc1") },
            .sync(cc, "filed as a relative, confirms the household", "recusal") { s in try s.step(.publicNotice, .countyConfirmed, on: "hReady2", by: "cc2") },
            .sync(cc, "promoted, confirms a household she investigated", "separation_of_duties") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hPromo", by: "trPromoted")
            },
            .sync(cc, "promoted, confirms a household she reviewed at the township", "separation_of_duties") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hPromo2", by: "trPromoted")
            },
            .sync(cc, "promoted, confirms a household she applied for", "separation_of_duties") { s in
                try s.step(.publicNotice, .countyConfirmed, on: "hPromo3", by: "vaPromoted")
            },
            .sync(cc, "promoted, decides the review she started", "separation_of_duties") { s in
                try s.step(.underReview, .covered, on: "hUnderReview2", by: "vaPromoted")
            },
            .sync(cc, "promoted, declines at the notice stage a household she investigated", "separation_of_duties") { s in
                try s.step(.publicNotice, .declined, on: "hPromo", by: "trPromoted")
            },
            .sync(cc, "covers a household without a coverage date", "invalid_value") { s in try s.step(.countyConfirmed, .covered, on: "hConfirmed", by: "cc1") },
            .sync(cc, "clears a covered household's coverage date", "invalid_value") { s in try s.set("coveredSince", .null, on: "hCovered", by: "cc1") },
            .sync(cc, "resolves objections never raised", "invalid_value") { s in try s.set("resolvedObjectionCount", .int(9), on: "nReady", by: "cc1") },
            .sync(cc, "investigates", "role_not_allowed") { s in try s.step(.applied, .investigated, on: "hApplied", by: "cc1") },
            .sync(cc, "records the township review", "role_not_allowed") { s in try s.step(.investigated, .townshipReviewed, on: "hInv", by: "cc1") },
            .sync(cc, "puts a household on public notice", "role_not_allowed") { s in try s.step(.townshipReviewed, .publicNotice, on: "hReviewed", by: "cc1") },
            .sync(cc, "starts a periodic review", "role_not_allowed") { s in try s.step(.covered, .underReview, on: "hCovered", by: "cc1") },
            .sync(cc, "applies again for a declined household", "role_not_allowed") { s in try s.step(.declined, .applied, on: "hDeclined", by: "cc1") },
            .sync(cc, "declines before the notice", "role_not_allowed") { s in try s.step(.investigated, .declined, on: "hInv", by: "cc1") },
            .sync(cc, "withdraws a filing", "role_not_allowed") { s in try s.set("withdrawnOn", .date(s.today), on: "fOwn", by: "cc1") },
            .sync(cc, "deletes an imported household", "role_not_allowed") { s in try s.push(.delete, on: "hCovered", by: "cc1") },
            .sync(cc, "deletes a member of a covered household", "not_deletable") { s in try s.push(.delete, on: "mCovered", by: "cc1") },
            .sync(cc, "files a relative naming a reviewer", "role_not_allowed") { s in try s.create(try s.filing(of: "hCovered", staff: s.worker("tr1")), by: "cc1") },
            .sync(cc, "of another county confirms a household", "outside_scope") { s in try s.step(.publicNotice, .countyConfirmed, on: "hReady", by: "ccOther") },
        ]
    }

    /// City supervisors (市级督导): read the city, write nothing.
    static var supervisor: [PolicyAttack] {
        let cs = Role.citySupervisor
        return [
            .sync(cs, "confirms a household", "outside_scope") { s in try s.step(.publicNotice, .countyConfirmed, on: "hReady", by: "cs") },
            .sync(cs, "creates a household", "outside_scope") { s in try s.create(s.application(), by: "cs") },
            .sync(cs, "deletes an application", "outside_scope") { s in try s.push(.delete, on: "hApplied", by: "cs") },
            .sync(cs, "files a relative", "outside_scope") { s in try s.create(try s.filing(of: "hCovered", staff: s.worker("cs")), by: "cs") },
            .sync(cs, "records objections", "outside_scope") { s in try s.set("objectionCount", .int(3), on: "nReady", by: "cs") },
            PolicyAttack(cs, "lists the special roster", .refused(403, "forbidden")) { s in
                HostileRequest(method: "GET", path: "/v1/special-roster", token: s.device("cs").token)
            },
        ]
    }
}
