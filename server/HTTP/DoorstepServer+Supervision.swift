import FieldModel
import Hummingbird
import ServerDirectory
import ServerEngine
import ServerOps

extension DoorstepServer {
    /// Supervision (督办): a village's households behind each count, for field staff whose scope
    /// covers the village, and each place's counts as CSV for the ops pages' viewers.
    func addSupervisionRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/v1/supervision/villages/:code/households") { request, context in
            let route = "GET /v1/supervision/villages/:code/households"
            let principal = try await fieldStaff(request, context, route: route)
            let village = try Self.supervisionVillage(try context.parameters.require("code"))
            let kind = try Self.supervisionKind(request.uri.queryParameters["kind"].map(String.init))
            // The object-level check of pulls and records: the worker's current assignment.
            guard principal.worker.assignment.covers(village) else {
                let error = APIError(.forbidden, RejectionReason.outsideScope.rawValue,
                                     "village \(village) is outside the scope of worker \(principal.worker.id)")
                try await access.recordRefusal(principal, route: route, error, now: clock())
                throw error
            }
            let store = try supervisionStore()
            let window = SupervisionWindow(nowMilliseconds: clock())
            // A household the worker filed as a close relative's is left out (recusal).
            let items = try await store.supervisionItems(village: village, kind: kind, window: window, hidingRelativesOf: principal.worker.id)
            return try reply(SupervisionListDocument(village: village, kind: kind, window: window, items: items))
        }
        router.get("/ops/supervision.csv") { request, context in
            try await supervisionCSV(.city, request, context)
        }
        for level in ["counties", "townships", "villages"] {
            router.get("/ops/\(level)/:code/supervision.csv") { request, context in
                let code = try context.parameters.require("code")
                let region: OpsRegion
                do { region = try OpsRegion.parse(level, code) } catch let error as OpsError {
                    return html(OpsPage.problem(error), status: error.code == .notFound ? .notFound : .badRequest)
                }
                return try await supervisionCSV(region, request, context)
            }
        }
    }

    /// The supervision counts of `region` and of the places one level down, as the store keeps
    /// them: one grouped read over the region's village codes.
    func supervisionTable(_ region: OpsRegion) async throws -> SupervisionTable {
        let window = SupervisionWindow(nowMilliseconds: clock())
        let grouped = try await supervisionStore().supervisionCounts(villages: region.villageCodes,
                                                                     placeDivisor: SupervisionTable.placeDivisor(of: region), window: window)
        return SupervisionTable(region: region, window: window, grouped: grouped)
    }

    func supervisionCSV(_ region: OpsRegion, _ request: Request, _ context: DoorstepRequestContext) async throws -> Response {
        guard try await opsViewer(request, context) else { return html(OpsPage.login(failed: false), status: .unauthorized) }
        let table = try await supervisionTable(region)
        return csvResponse(table.csv.bytes, filename: table.filename)
    }

    func supervisionStore() throws -> any SupervisionStore {
        guard let supervision else { throw APIError(.notImplemented, "not_supported", "this server's store keeps no supervision facts") }
        return supervision
    }

    /// A village from the path: 12 digits of a valid code, else a 400 naming it.
    static func supervisionVillage(_ text: String) throws -> VillageCode {
        guard text.utf8.count == 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(text) else {
            throw APIError(.badRequest, "invalid_argument", "\"\(text.prefix(24))\" is not a village code of 12 digits")
        }
        do { return try VillageCode(validating: n) } catch {
            throw APIError(.badRequest, "invalid_argument", error.message)
        }
    }

    static func supervisionKind(_ text: String?) throws -> SupervisionKind {
        let names = SupervisionKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text else { throw APIError(.badRequest, "invalid_argument", "kind is required: one of \(names)") }
        guard let kind = SupervisionKind(rawValue: text) else {
            throw APIError(.badRequest, "invalid_argument", "kind \"\(text.prefix(20))\" is not one of \(names)")
        }
        return kind
    }
}
