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
}
