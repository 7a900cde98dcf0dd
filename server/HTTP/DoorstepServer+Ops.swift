import FieldModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServerDirectory
import ServerEngine
import ServerOps
import SyncCore

extension DoorstepServer {
    /// `/metrics` (Prometheus text; no personal data, so no token), the ops page at `/ops` (an
    /// administrator token as a bearer header, or the session `/ops/login` opens) and the same
    /// data as JSON under `/v1/ops/`.
    func addOpsRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/metrics") { _, _ in
            let store = ops, engine = self.engine
            let figures = try await metricsFigures.value(now: clock()) {
                try await SyncMetrics.SharedFigures.read(try await overview(), store: store, recovery: try await engine.store.recoveryMark(),
                                                        attachments: engine.store as? any AttachmentStore)
            }
            let text = metrics.scrape(figures)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/ops/overview") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/ops/overview")
            return try reply(try await overview())
        }
        router.get("/v1/ops/alerts") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/ops/alerts")
            return try reply(try await overview().alerts)
        }
        router.get("/v1/ops/devices/:id/history") { request, context in
            _ = try await administrator(request, context, route: "GET /v1/ops/devices/:id/history")
            let id = try context.parameters.require("id")
            let limit = try historyLimit(request)
            guard try await access.store.credentials(worker: nil).contains(where: { $0.id == id }) else {
                throw DirectoryError(.unknownDevice, "no device or credential \(id.prefix(40))")
            }
            return try reply(try await ops.syncHistory(device: id, limit: limit))
        }
        // The drill-down: the city, a county, a township, a village, a device; and a search.
        router.get("/ops") { request, context in
            try await opsPage(request, context) { tree in
                try OpsPage.region(tree, .city, query: try OpsListQuery(parameters: Self.parameters(request)), trend: try await trendChart(.city),
                                   conflicts: try await conflictChart(.city), health: try await healthChart(.city),
                                   supervision: try await supervisionTable(.city))
            }
        }
        for level in ["counties", "townships", "villages"] {
            router.get("/ops/\(level)/:code") { request, context in
                let code = try context.parameters.require("code")
                return try await opsPage(request, context) { tree in
                    let region = try OpsRegion.parse(level, code)
                    return try OpsPage.region(tree, region, query: try OpsListQuery(parameters: Self.parameters(request)), trend: try await trendChart(region),
                                              conflicts: try await conflictChart(region), health: try await healthChart(region),
                                              supervision: try await supervisionTable(region))
                }
            }
        }
        router.get("/ops/search") { request, context in
            try await opsPage(request, context) { tree in
                try OpsPage.search(tree, text: Self.parameters(request)["q"], query: try OpsListQuery(parameters: Self.parameters(request)))
            }
        }
        router.get("/ops/devices/:id") { request, context in
            let id = try context.parameters.require("id")
            let records = try await ops.syncHistory(device: id, limit: try historyLimit(request))
            return try await opsPage(request, context) { tree in try OpsPage.device(id, tree: tree, records: records) }
        }
        router.post("/ops/login") { request, context in
            let form = String(decoding: try await body(request, limit: 4_096), as: UTF8.self)
            let token = form.split(separator: "&").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)) }?.removingPercentEncoding ?? ""
            let now = clock()
            let session: (id: String, expiresAtMilliseconds: Int64)
            do {
                let principal = try await principal(authorization: "Bearer \(token)", client: clientAddress(request, context), route: "POST /ops/login")
                session = try await access.openOpsSession(for: principal, now: now)
            } catch let error as APIError where error.status == .tooManyRequests {
                throw error
            } catch let error as DirectoryError where error.code != .storage {
                return html(OpsPage.login(failed: true), status: .unauthorized)
            }
            var headers = HTTPFields()
            headers[.location] = "/ops"
            headers[.setCookie] = sessionCookie(session.id, maxAgeSeconds: (session.expiresAtMilliseconds - now) / 1000)
            return Response(status: .seeOther, headers: headers)
        }
        router.post("/ops/logout") { request, _ in
            if let id = Self.sessionID(request) { try await access.endOpsSession(id, now: clock()) }
            var headers = HTTPFields()
            headers[.location] = "/ops"
            headers[.setCookie] = sessionCookie("", maxAgeSeconds: 0)
            return Response(status: .seeOther, headers: headers)
        }
    }

    /// The place's exchanges per hour over the last 14 days, from its trend hours; nil for a village.
    func trendChart(_ region: OpsRegion) async throws -> TrendChart? {
        guard let code = region.trendRegion else { return nil }
        let now = clock(), since = now - 14 * 86_400_000
        return TrendChart(title: "每小时同步 Syncs per hour", hours: try await ops.syncTrend(region: code, sinceMilliseconds: since),
                          from: since, to: now, bucketHours: 1)
    }

    /// The place's device health per hour over the last 14 days, from its snapshots; nil for a village.
    func healthChart(_ region: OpsRegion) async throws -> HealthChart? {
        guard let code = region.trendRegion else { return nil }
        let now = clock(), since = now - 14 * 86_400_000
        return HealthChart(hours: try await ops.healthTrend(region: code, sinceMilliseconds: since), from: since, to: now)
    }

    /// Snapshots every region's device health at `now` (`HealthHour`) from the enrolled devices
    /// and their latest statuses, replacing the snapshots of the same hour; returns them.
    /// `HealthSnapshotService` calls it every hour; tests call it at the times they choose.
    @discardableResult
    public func snapshotHealth(now: Int64) async throws -> [HealthHour] {
        let devices = try await enrolledDevices(of: try await access.store.workers())
        let hours = HealthHour.snapshot(at: now, devices: devices, statuses: try await ops.deviceStatuses())
        try await ops.recordHealthHours(hours)
        return hours
    }

    /// The place's conflicts opened and resolved per day over the last 30 days, from the conflict log.
    func conflictChart(_ region: OpsRegion) async throws -> ConflictChart {
        let now = clock(), since = now - 30 * 86_400_000
        return ConflictChart(title: "每日冲突 Conflicts per day", days: try await ops.conflictDays(villages: region.villageCodes, sinceMilliseconds: since),
                             from: since, to: now)
    }

    /// The session cookie: HttpOnly, SameSite=Strict, on `/ops` only, `Secure` under HTTPS.
    func sessionCookie(_ id: String, maxAgeSeconds: Int64) -> String {
        "\(Self.sessionCookieName)=\(id); Path=/ops; Max-Age=\(max(0, maxAgeSeconds)); HttpOnly; SameSite=Strict\(security.https ? "; Secure" : "")"
    }

    static let sessionCookieName = "doorstep_session"

    static func sessionID(_ request: Request) -> String? {
        request.headers[.cookie]?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(sessionCookieName + "=") }.map { String($0.dropFirst(sessionCookieName.count + 1)) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The overview of every enrolled device, village and waiting conflict, now.
    func overview() async throws -> OpsOverview { try await opsReading().overview }

    /// The overview grouped by region for the ops pages, from the same one reading of the stores.
    func opsTree() async throws -> OpsRegionTree {
        let reading = try await opsReading()
        return OpsRegionTree(overview: reading.overview, devices: reading.devices, villages: reading.villages, conflicts: reading.conflicts)
    }

    /// One reading of the directory, the device statuses, the villages and the open conflicts,
    /// and the overview computed from it.
    private func opsReading() async throws -> (overview: OpsOverview, devices: [OpsOverview.EnrolledDevice], villages: [VillageCode], conflicts: [RecordState]) {
        let workers = try await access.store.workers()
        let devices = try await enrolledDevices(of: workers)
        var all = Assignment()
        for w in workers {
            all.villages.formUnion(w.assignment.villages)
            all.townships.formUnion(w.assignment.townships)
            all.counties.formUnion(w.assignment.counties)
            all.cities.formUnion(w.assignment.cities)
        }
        let villages = try await engine.store.villages(coveredBy: all)
        let conflicts = try await engine.store.openConflicts(villages: villages)
        let now = clock()
        let today = Int64(CalendarDate.chinaStandard(millisecondsSinceEpoch: now).daysSinceEpoch) * 86_400_000 - 8 * 3_600_000
        let hits = try await engine.store.creationBudgetRefusals(since: today).map {
            OpsOverview.CreationBudgetHit(scope: $0.scope, deviceID: $0.deviceID, worker: $0.worker, atMilliseconds: $0.atMilliseconds, limit: $0.limit)
        }
        let overview = OpsOverview(now: now, thresholds: thresholds, devices: devices, statuses: try await ops.deviceStatuses(),
                                   villages: villages, conflicts: conflicts, budgetHits: hits)
        return (overview, devices, villages, conflicts)
    }

    /// The devices enrolled and not revoked, each with its worker among `workers`.
    func enrolledDevices(of workers: [Worker]) async throws -> [OpsOverview.EnrolledDevice] {
        let byID = Dictionary(workers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return try await access.store.credentials(worker: nil).filter { $0.kind == .device && !$0.isRevoked }.compactMap { c in
            byID[c.worker].map { OpsOverview.EnrolledDevice(id: c.id, name: c.name, worker: $0) }
        }
    }

    /// An ops page for a viewer (the login page otherwise): `render` given the region tree; a
    /// page it cannot show is its 400 or 404 page.
    func opsPage(_ request: Request, _ context: DoorstepRequestContext,
                 _ render: (OpsRegionTree) async throws -> String) async throws -> Response {
        guard try await opsViewer(request, context) else { return html(OpsPage.login(failed: false), status: .unauthorized) }
        let tree = try await opsTree()
        do {
            return html(try await render(tree))
        } catch let error as OpsError where error.code == .badRequest || error.code == .notFound {
            return html(OpsPage.problem(error), status: error.code == .notFound ? .notFound : .badRequest)
        }
    }

    /// A request's query parameters, decoded; the first of a repeated name.
    static func parameters(_ request: Request) -> [String: String] {
        Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether the request is an administrator's: an open ops session (the cookie), or an
    /// administrator token as a bearer header (for scripts; the browser never holds the token).
    func opsViewer(_ request: Request, _ context: DoorstepRequestContext) async throws -> Bool {
        if let id = Self.sessionID(request), try await access.opsSession(id, now: clock()) != nil { return true }
        guard request.headers[.authorization] != nil else { return false }
        do {
            _ = try await administrator(request, context, route: "GET /ops")
            return true
        } catch let error as DirectoryError where error.code != .storage {
            return false
        }
    }

    func historyLimit(_ request: Request) throws -> Int {
        try queryInteger(request, "limit", in: 1...1_000, default: 100)
    }

    /// An HTML page with the security headers every page carries (`ServerSecurity.htmlHeaders`).
    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        for (name, value) in ServerSecurity.htmlHeaders { headers[name] = value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
