import FieldModel
import Foundation
import Hummingbird
import ServerDirectory
import ServerEngine
import SyncCore
import SyncProtocol

extension DoorstepServer {
    /// The administrator's endpoints: workers, enrolment codes, devices, the roster import and
    /// the security log (filings: `addFilingRoutes`). Every one needs an administrator token.
    func addAdminRoutes(_ router: Router<DoorstepRequestContext>) {
        let admin = router.group("/v1/admin")

        admin.get("/workers") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/workers")
            return try reply(try await access.store.workers().map(WorkerDocument.init))
        }
        admin.post("/workers") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/workers")
            let worker = try await json(request, as: WorkerDocument.self).worker()
            try await access.createWorker(worker, by: principal, now: clock())
            return try reply(WorkerDocument(worker), status: .created)
        }
        admin.put("/workers/:id") { request, context in
            let principal = try await administrator(request, context, route: "PUT /v1/admin/workers/:id")
            // The path names the resource: a worker that does not exist is 404 whatever the body says.
            let id = try context.parameters.require("id")
            guard try await access.store.worker(WorkerID(unchecked: id)) != nil else {
                throw DirectoryError(.unknownWorker, "no worker \(id.prefix(64))")
            }
            let worker = try await json(request, as: WorkerDocument.self).worker()
            guard worker.id.rawValue == id else {
                // RFC 9110 §9.3.4: a PUT representation inconsistent with its target is 409.
                throw APIError(.conflict, "id_mismatch", "the path names worker \(id.prefix(40)) but the body worker \(worker.id)")
            }
            try await access.updateWorker(worker, by: principal, now: clock())
            return try reply(WorkerDocument(worker))
        }
        admin.post("/workers/:id/enrolment-codes") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/workers/:id/enrolment-codes")
            let options = try await optionalJSON(request, as: CodeRequestDocument.self) ?? CodeRequestDocument()
            let worker = WorkerID(unchecked: try context.parameters.require("id"))
            let lifetime = try options.lifetimeHours.map { hours in
                let (milliseconds, overflow) = Int64(hours).multipliedReportingOverflow(by: 3_600_000)
                guard !overflow else { throw APIError(.badRequest, "invalid_argument", "code lifetime \(hours) hours is outside 1 minute … 30 days") }
                return milliseconds
            }
            let issued = try await access.issueEnrolmentCode(for: worker, by: principal, lifetimeMilliseconds: lifetime, now: clock())
            return try reply(CodeDocument(id: issued.id, code: issued.code, worker: issued.worker.rawValue, expiresAtMilliseconds: issued.expiresAtMilliseconds),
                             status: .created)
        }
        admin.post("/workers/:id/revoke-devices") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/workers/:id/revoke-devices")
            let reason = try await revocationReason(request)
            let done = try await access.revokeWorkerDevices(WorkerID(unchecked: try context.parameters.require("id")), reason: reason, by: principal, now: clock())
            return try reply(RevokedDocument(revoked: done.credentials, codesVoided: done.codes))
        }
        admin.get("/enrolment-codes") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/enrolment-codes")
            let worker = request.uri.queryParameters["worker"].map { WorkerID(unchecked: String($0)) }
            let now = clock()
            return try reply(try await access.store.enrolmentCodes(worker: worker).map { EnrolmentCodeDocument($0, now: now) })
        }
        admin.post("/enrolment-codes/:id/revoke") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/enrolment-codes/:id/revoke")
            let code = try await access.revokeEnrolmentCode(try context.parameters.require("id"), by: principal, now: clock())
            return try reply(EnrolmentCodeDocument(code, now: clock()))
        }
        admin.get("/devices") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/devices")
            let worker = request.uri.queryParameters["worker"].map { WorkerID(unchecked: String($0)) }
            return try reply(try await access.store.credentials(worker: worker).map(DeviceDocument.init))
        }
        admin.post("/devices/:id/revoke") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/devices/:id/revoke")
            let reason = try await revocationReason(request)
            let credential = try await access.revokeDevice(try context.parameters.require("id"), reason: reason, by: principal, now: clock())
            return try reply(DeviceDocument(credential))
        }
        admin.post("/roster") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/roster")
            let bytes = try await body(request, limit: limits.maxRosterBodyBytes)
            let now = clock()
            let people = try peopleStore()
            let parsed = try RosterImport(ids: people.codec.rosterIDs).parse(bytes, today: CalendarDate.chinaStandard(millisecondsSinceEpoch: now))
            try await refuseKnownPeople(parsed, people)
            let villages = Set(parsed.records.map(\.key.scope)).sorted()
            _ = try await engine.importAll(parsed.records, by: principal.worker.id, now: now)
            // After the import: a refused roster leaves no trace, not even its villages.
            try await engine.store.registerVillages(villages)
            try await access.log(principal, subject: "roster",
                                 "imported \(parsed.households) households and \(parsed.members) members in \(villages.count) villages", now: now)
            return try reply(RosterResultDocument(households: parsed.households, members: parsed.members, villages: villages.map(\.description)),
                             status: .created)
        }
        admin.post("/people/lookup") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/people/lookup")
            let document = try await json(request, as: PersonLookupDocument.self)
            let result = try await lookUp(document, principal: principal)
            return try reply(result)
        }
        admin.get("/log-chains") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/log-chains")
            guard let chained = engine.store as? any ChainedLogStore else {
                throw APIError(.notImplemented, "not_chained", "this store keeps no chained logs")
            }
            var states: [LogChainDocument] = []
            for log in ChainedLog.allCases { states.append(LogChainDocument(try await chained.chainState(log))) }
            return try reply(states)
        }
        admin.get("/audit-log") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/audit-log")
            guard let text = request.uri.queryParameters["replica"], let replica = ReplicaID(hex: String(text)) else {
                throw APIError(.badRequest, "invalid_argument", "audit-log needs ?replica=<16 hexadecimal digits>: the device whose applied changes to list")
            }
            let limit = try queryInteger(request, "limit", in: 1...100_000, default: 10_000)
            return try reply(try await engine.store.auditEntries(replica: replica, limit: limit).map(AuditEntryDocument.init))
        }
        admin.get("/security-log") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/admin/security-log")
            let limit = try queryInteger(request, "limit", in: 1...10_000, default: 200)
            // Refusals of minutes already over are written first, so the answer includes them.
            try await access.flushSecurityLog(now: clock())
            return try reply(try await access.store.securityEvents(limit: limit).map(SecurityEventDocument.init))
        }
    }

    func administrator(_ request: Request, _ context: DoorstepRequestContext, route: String) async throws -> Principal {
        let principal = try await principal(request, context, route: route)
        try await access.requireAdministrator(principal, route: route, now: clock())
        return principal
    }

    /// A revocation's reason from an optional `{"reason"}` body: `lost` (the default) or `retired`.
    func revocationReason(_ request: Request) async throws -> Credential.Revocation {
        let document = try await optionalJSON(request, as: RevocationDocument.self)
        guard let text = document?.reason else { return .lost }
        guard let reason = Credential.Revocation(rawValue: text), reason != .reenrolled else {
            throw APIError(.badRequest, "invalid_argument", "reason \"\(text.prefix(20))\" is not lost or retired")
        }
        return reason
    }

    /// The store's blind index of ID numbers (both backends keep one).
    func peopleStore() throws -> any PeopleStore {
        guard let people else { throw APIError(.notImplemented, "not_indexed", "this store keeps no index of ID numbers") }
        return people
    }

    /// Refuses a roster naming a person already on the roll, by the blind index of their ID
    /// number (never the number itself): every such line is reported, nothing is imported.
    func refuseKnownPeople(_ parsed: RosterImport.Parsed, _ people: any PeopleStore) async throws {
        var lines: [[UInt8]: Int] = [:]
        for record in parsed.records where record.key.collection == .member {
            guard let number = record.values[Member.Field.idNumber.id]?.textValue else { continue }
            lines[people.codec.personIndex.value(of: number)] = parsed.lines[record.key.id]
        }
        let known = try await people.people(indexes: Array(lines.keys))
        guard !known.isEmpty else { return }
        var seen = Set<[UInt8]>()
        let problems = known.filter { seen.insert($0.index).inserted }.map { match in
            ErrorDocument.Problem(line: lines[match.index], column: RosterColumn.idNumber.rawValue,
                                  message: "this person is already on the roll (\(match.key.collection.name) \(match.key.id) in village \(match.key.scope))")
        }.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        var error = APIError(.conflict, "roster_refused", "\(problems.count) people of the roster are on the roll already; nothing was imported")
        error.problems = Array(problems.prefix(200))
        throw error
    }

    /// Finds the records holding each ID number of the document, by blind index. The answer
    /// names records by position in the request, never repeating a number; the security log
    /// says how many were asked and found.
    func lookUp(_ document: PersonLookupDocument, principal: Principal) async throws -> PersonLookupResultDocument {
        guard (1...1_000).contains(document.idNumbers.count) else {
            throw APIError(.badRequest, "invalid_argument", "give 1 to 1,000 ID numbers, not \(document.idNumbers.count)")
        }
        let people = try peopleStore()
        let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: clock())
        var indexes: [[UInt8]] = []
        for (i, text) in document.idNumbers.enumerated() {
            do { indexes.append(people.codec.personIndex.value(of: try IDCardNumber(validating: text, asOf: today, field: "idNumbers[\(i)]").rawValue)) } catch {
                throw APIError(.badRequest, "invalid_value", error.description)
            }
        }
        let matches = Dictionary(grouping: try await people.people(indexes: indexes), by: \.index)
        let results = indexes.enumerated().map { i, index in
            PersonLookupResultDocument.Result(index: i, records: (matches[index] ?? []).map {
                PersonLookupResultDocument.Record(collection: $0.key.collection.name, id: $0.key.id.description, village: $0.key.scope.description)
            })
        }
        try await access.log(principal, subject: "people", "looked up \(indexes.count) ID numbers by blind index; \(results.filter { !$0.records.isEmpty }.count) found", now: clock())
        return PersonLookupResultDocument(results: results)
    }
}
