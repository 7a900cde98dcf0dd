import FieldModel
import Foundation
import Hummingbird
import NIOCore
import ServerDirectory
import ServerEngine
import SyncCore

extension DoorstepServer {
    /// 近亲属备案: an administrator files and withdraws close-relative filings; county staff and
    /// administrators list the special roster (专项花名册).
    func addFilingRoutes(_ router: Router<DoorstepRequestContext>) {
        router.post("/v1/admin/filings") { request, context in
            let principal = try await administrator(request, context, route: "POST /v1/admin/filings")
            let filing = try await relativeFiling(try await json(request, as: FilingDocument.self))
            _ = try await engine.importAll([ImportRecord(filing)], by: principal.worker.id, now: clock())
            let who = filing.staff.map { "worker \($0)" } ?? "\(filing.staffName ?? "") (\(filing.staffPosition ?? "no account"))"
            try await access.log(principal, subject: filing.staff?.rawValue ?? filing.id.description,
                                 "filed household \(filing.household) in \(filing.village) as a close relative (\(filing.relation.rawValue)) of \(who); filing \(filing.id)", now: clock())
            return try reply(CreatedDocument(id: filing.id.description), status: .created)
        }
        router.post("/v1/admin/filings/:id/withdraw") { request, context in
            let route = "POST /v1/admin/filings/:id/withdraw"
            let principal = try await administrator(request, context, route: route)
            let text = try context.parameters.require("id")
            guard let id = RecordID(uuidString: text) else {
                throw APIError(.badRequest, "invalid_argument", "filing \"\(text.prefix(40))\" is not a record id (UUID)")
            }
            let now = clock()
            let filing = try await engine.withdrawFiling(id, by: principal.worker.id, now: now)
            let who = filing.staff.map { "worker \($0)" } ?? filing.staffName ?? "a person without an account"
            try await access.log(principal, subject: filing.staff?.rawValue ?? id.description,
                                 "withdrew filing \(id): household \(filing.household) in \(filing.village) as a close relative of \(who); recusal no longer applies", now: now)
            return try reply(WithdrawnFilingDocument(id: id.description, withdrawnOn: filing.withdrawnOn!.description))
        }
        router.get("/v1/special-roster") { request, context in
            let route = "GET /v1/special-roster"
            let principal = try await principal(request, context, route: route)
            let entries = try await specialRoster(for: principal, route: route)
            guard let format = request.uri.queryParameters["format"] else { return try reply(entries) }
            guard format == "csv" else { throw APIError(.badRequest, "invalid_argument", "format \"\(format.prefix(20))\" is not csv; leave it out for JSON") }
            return csvResponse(SpecialRoster.csv(entries), filename: "special-roster.csv")
        }
    }

    /// The roster rows `principal` may see: every filing for an administrator, the filings of
    /// their counties' villages for county staff; anyone else is refused (and logged).
    func specialRoster(for principal: Principal, route: String) async throws -> [SpecialRosterEntryDocument] {
        let villages: [VillageCode]?
        switch principal.worker.role {
        case .administrator: villages = nil
        case .countyConfirmer: villages = try await engine.store.villages(coveredBy: principal.worker.assignment)
        case .villageAssistant, .townshipReviewer, .citySupervisor:
            let error = DirectoryError(.forbidden, "\(route) is for county staff and administrators; worker \(principal.worker.id) is a \(principal.worker.role.rawValue)")
            try await access.recordRefusal(principal, route: route, error, now: clock())
            throw error
        }
        let workers = Dictionary(try await access.store.workers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var entries: [SpecialRosterEntryDocument] = []
        for state in try await engine.store.liveRecords(.relativeFiling, villages: villages) {
            let filing = try StoredColumns.readFiling(state)
            let household = try await engine.store.record(RecordKey(.household, filing.household, scope: filing.village))
                .flatMap { try? Household(id: $0.key.id, village: $0.key.scope, fields: $0.values) }
            entries.append(SpecialRosterEntryDocument(filing: filing, household: household, worker: filing.staff.flatMap { workers[$0] }))
        }
        return entries.sorted { ($0.village, $0.filedOn, $0.filing) < ($1.village, $1.filedOn, $1.filing) }
    }

    /// The filing a document describes: for a worker (who must exist), or for a person without
    /// an account, named.
    func relativeFiling(_ d: FilingDocument) async throws -> RelativeFiling {
        let staff = try d.staff.map { text throws(ValidationError) in try WorkerID(validating: text) }
        if let staff, try await access.store.worker(staff) == nil { throw DirectoryError(.unknownWorker, "no worker \(staff)") }
        guard staff != nil || d.staffName != nil else {
            throw APIError(.badRequest, "invalid_argument", "a filing names the staff member: staff (a worker id) or staffName (a person without an account)")
        }
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
        let filing = RelativeFiling(id: RecordID(milliseconds: clock(), using: &generator), village: village, staff: staff, household: household,
                                    relation: relation, filedOn: filedOn, staffName: d.staffName, staffPosition: d.staffPosition)
        try Schema.relativeFiling.validateCreate(filing.fieldValues, asOf: today)
        return filing
    }
}
