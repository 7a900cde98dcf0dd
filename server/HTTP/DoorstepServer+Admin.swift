import FieldModel
import Foundation
import Hummingbird
import ServerDirectory
import ServerEngine
import SyncCore
import SyncProtocol

extension DoorstepServer {
    /// The administrator's endpoints: workers, enrolment codes, devices, filings, the roster
    /// import and the security log. Every one needs an administrator token.
    func addAdminRoutes(_ router: Router<BasicRequestContext>) {
        let admin = router.group("/v1/admin")

        admin.get("/workers") { request, _ in
            _ = try await administrator(request, route: "GET /v1/admin/workers")
            return try reply(try await access.store.workers().map(WorkerDocument.init))
        }
        admin.post("/workers") { request, _ in
            let principal = try await administrator(request, route: "POST /v1/admin/workers")
            let worker = try await json(request, as: WorkerDocument.self).worker()
            try await access.createWorker(worker, by: principal, now: clock())
            return try reply(WorkerDocument(worker), status: .created)
        }
        admin.put("/workers/:id") { request, context in
            let principal = try await administrator(request, route: "PUT /v1/admin/workers/:id")
            let worker = try await json(request, as: WorkerDocument.self).worker()
            let id = try context.parameters.require("id")
            guard worker.id.rawValue == id else {
                throw APIError(.badRequest, "invalid_argument", "the path names worker \(id.prefix(40)) but the body worker \(worker.id)")
            }
            try await access.updateWorker(worker, by: principal, now: clock())
            return try reply(WorkerDocument(worker))
        }
        admin.post("/workers/:id/enrolment-codes") { request, context in
            let principal = try await administrator(request, route: "POST /v1/admin/workers/:id/enrolment-codes")
            let options = try await optionalJSON(request, as: CodeRequestDocument.self) ?? CodeRequestDocument()
            let worker = WorkerID(unchecked: try context.parameters.require("id"))
            let lifetime = try options.lifetimeHours.map { hours in
                let (milliseconds, overflow) = Int64(hours).multipliedReportingOverflow(by: 3_600_000)
                guard !overflow else { throw APIError(.badRequest, "invalid_argument", "code lifetime \(hours) hours is outside 1 minute … 30 days") }
                return milliseconds
            }
            let issued = try await access.issueEnrolmentCode(for: worker, by: principal, lifetimeMilliseconds: lifetime, now: clock())
            return try reply(CodeDocument(code: issued.code, worker: issued.worker.rawValue, expiresAtMilliseconds: issued.expiresAtMilliseconds),
                             status: .created)
        }
        admin.post("/workers/:id/revoke-devices") { request, context in
            let principal = try await administrator(request, route: "POST /v1/admin/workers/:id/revoke-devices")
            let n = try await access.revokeWorkerDevices(WorkerID(unchecked: try context.parameters.require("id")), by: principal, now: clock())
            return try reply(RevokedDocument(revoked: n))
        }
        admin.get("/devices") { request, _ in
            _ = try await administrator(request, route: "GET /v1/admin/devices")
            let worker = request.uri.queryParameters["worker"].map { WorkerID(unchecked: String($0)) }
            return try reply(try await access.store.credentials(worker: worker).map(DeviceDocument.init))
        }
        admin.post("/devices/:id/revoke") { request, context in
            let principal = try await administrator(request, route: "POST /v1/admin/devices/:id/revoke")
            let credential = try await access.revokeDevice(try context.parameters.require("id"), by: principal, now: clock())
            return try reply(DeviceDocument(credential))
        }
        admin.post("/filings") { request, _ in
            let principal = try await administrator(request, route: "POST /v1/admin/filings")
            let filing = try await relativeFiling(try await json(request, as: FilingDocument.self))
            _ = try await engine.importAll([ImportRecord(filing)], by: principal.worker.id, now: clock())
            try await access.log(principal, subject: filing.staff.rawValue,
                                 "filed household \(filing.household) in \(filing.village) as a close relative (\(filing.relation.rawValue)) of \(filing.staff)", now: clock())
            return try reply(CreatedDocument(id: filing.id.description), status: .created)
        }
        admin.post("/roster") { request, _ in
            let principal = try await administrator(request, route: "POST /v1/admin/roster")
            let bytes = try await body(request, limit: limits.maxRosterBodyBytes)
            let now = clock()
            let parsed = try RosterImport().parse(bytes, today: CalendarDate.chinaStandard(millisecondsSinceEpoch: now))
            let villages = Set(parsed.records.map(\.key.scope)).sorted()
            _ = try await engine.importAll(parsed.records, by: principal.worker.id, now: now)
            // After the import: a refused roster leaves no trace, not even its villages.
            try await engine.store.registerVillages(villages)
            try await access.log(principal, subject: "roster",
                                 "imported \(parsed.households) households and \(parsed.members) members in \(villages.count) villages", now: now)
            return try reply(RosterResultDocument(households: parsed.households, members: parsed.members, villages: villages.map(\.description)),
                             status: .created)
        }
        admin.get("/audit-log") { request, _ in
            _ = try await administrator(request, route: "GET /v1/admin/audit-log")
            guard let text = request.uri.queryParameters["replica"], let replica = ReplicaID(hex: String(text)) else {
                throw APIError(.badRequest, "invalid_argument", "audit-log needs ?replica=<16 hexadecimal digits>: the device whose applied changes to list")
            }
            let limit = try queryInteger(request, "limit", in: 1...100_000, default: 10_000)
            return try reply(try await engine.store.auditEntries(replica: replica, limit: limit).map(AuditEntryDocument.init))
        }
        admin.get("/security-log") { request, _ in
            _ = try await administrator(request, route: "GET /v1/admin/security-log")
            let limit = try queryInteger(request, "limit", in: 1...10_000, default: 200)
            return try reply(try await access.store.securityEvents(limit: limit).map(SecurityEventDocument.init))
        }
    }

    func administrator(_ request: Request, route: String) async throws -> Principal {
        let principal = try await principal(request, route: route)
        try await access.requireAdministrator(principal, route: route, now: clock())
        return principal
    }

    /// The filing a document describes, its staff member checked against the directory.
    func relativeFiling(_ d: FilingDocument) async throws -> RelativeFiling {
        let staff = try WorkerID(validating: d.staff)
        guard try await access.store.worker(staff) != nil else { throw DirectoryError(.unknownWorker, "no worker \(staff)") }
        guard let household = RecordID(uuidString: d.household) else {
            throw APIError(.badRequest, "invalid_argument", "household \"\(d.household.prefix(40))\" is not a record id (UUID)")
        }
        guard let relation = CloseRelation(rawValue: d.relation) else {
            throw APIError(.badRequest, "invalid_argument", "relation \"\(d.relation.prefix(40))\" is not one of \(CloseRelation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: clock())
        let filedOn = try d.filedOn.map { text in
            guard let date = CalendarDate(iso: text) else { throw APIError(.badRequest, "invalid_argument", "filedOn \"\(text.prefix(20))\" is not a date like 2024-03-05") }
            return date
        } ?? today
        let village = try VillageCode(validating: d.village)
        // The household must exist where the filing says: a filing binds recusal at once.
        guard let stored = try await engine.store.record(RecordKey(.household, household, scope: village)) else {
            throw APIError(.notFound, RejectionReason.unknownRecord.rawValue, "no household \(household) on the server")
        }
        guard stored.key.scope == village else {
            throw APIError(.badRequest, RejectionReason.wrongRecord.rawValue, "household \(household) is in village \(stored.key.scope), not \(village)")
        }
        var generator = SystemRandomNumberGenerator()
        let filing = RelativeFiling(id: RecordID(milliseconds: clock(), using: &generator), village: village,
                                    staff: staff, household: household, relation: relation, filedOn: filedOn)
        try Schema.relativeFiling.validateCreate(filing.fieldValues, asOf: today)
        return filing
    }
}
