import FieldModel
import Foundation
import Hummingbird
import NIOCore
import ServerDirectory
import ServerEngine
import ServerOps

extension DoorstepServer {
    /// `/metrics` (Prometheus text; no personal data, so no token), the ops page at `/ops` (an
    /// administrator token as a bearer header or the cookie `/ops/login` sets) and the same
    /// data as JSON under `/v1/ops/`.
    func addOpsRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            let text = try await metrics.scrape(try await overview(), store: ops)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/ops/overview") { request, _ in
            _ = try await administrator(request, route: "GET /v1/ops/overview")
            return try reply(try await overview())
        }
        router.get("/v1/ops/alerts") { request, _ in
            _ = try await administrator(request, route: "GET /v1/ops/alerts")
            return try reply(try await overview().alerts)
        }
        router.get("/v1/ops/devices/:id/history") { request, context in
            _ = try await administrator(request, route: "GET /v1/ops/devices/:id/history")
            let id = try context.parameters.require("id")
            let limit = try historyLimit(request)
            guard try await access.store.credentials(worker: nil).contains(where: { $0.id == id }) else {
                throw DirectoryError(.unknownDevice, "no device or credential \(id.prefix(40))")
            }
            return try reply(try await ops.syncHistory(device: id, limit: limit))
        }
        router.get("/ops") { request, _ in
            guard try await opsViewer(request) else { return html(Self.loginPage(failed: false), status: .unauthorized) }
            return html(OpsPage.render(try await overview()))
        }
        router.get("/ops/devices/:id") { request, context in
            guard try await opsViewer(request) else { return html(Self.loginPage(failed: false), status: .unauthorized) }
            let id = try context.parameters.require("id")
            return html(OpsPage.history(device: id, try await ops.syncHistory(device: id, limit: try historyLimit(request)), thresholds: thresholds))
        }
        router.post("/ops/login") { request, _ in
            let form = String(decoding: try await body(request, limit: 4_096), as: UTF8.self)
            let token = form.split(separator: "&").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)) }?.removingPercentEncoding ?? ""
            do {
                let principal = try await access.authenticate(authorization: "Bearer \(token)", now: clock(), route: "POST /ops/login")
                try await access.requireAdministrator(principal, route: "POST /ops/login", now: clock())
            } catch {
                return html(Self.loginPage(failed: true), status: .unauthorized)
            }
            var headers = HTTPFields()
            headers[.location] = "/ops"
            headers[.setCookie] = "doorstep_token=\(token); Path=/ops; HttpOnly; SameSite=Strict"
            return Response(status: .seeOther, headers: headers)
        }
    }

    /// The overview of every enrolled device, village and waiting conflict, now.
    func overview() async throws -> OpsOverview {
        let workers = Dictionary(try await access.store.workers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let devices = try await access.store.credentials(worker: nil).filter { $0.kind == .device && !$0.isRevoked }.compactMap { c in
            workers[c.worker].map { OpsOverview.EnrolledDevice(id: c.id, name: c.name, worker: $0) }
        }
        var all = Assignment()
        for w in workers.values {
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
        return OpsOverview(now: now, thresholds: thresholds, devices: devices, statuses: try await ops.deviceStatuses(),
                           villages: villages, conflicts: conflicts, budgetHits: hits)
    }

    /// Whether the request carries an administrator token, as a bearer header or the ops cookie.
    func opsViewer(_ request: Request) async throws -> Bool {
        let cookie = request.headers[.cookie]?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("doorstep_token=") }.map { String($0.dropFirst("doorstep_token=".count)) }
        guard let header = request.headers[.authorization] ?? cookie.map({ "Bearer \($0)" }) else { return false }
        do {
            let principal = try await access.authenticate(authorization: header, now: clock(), route: "GET /ops")
            try await access.requireAdministrator(principal, route: "GET /ops", now: clock())
            return true
        } catch let error as DirectoryError where error.code != .storage {
            return false
        }
    }

    func historyLimit(_ request: Request) throws -> Int {
        try queryInteger(request, "limit", in: 1...1_000, default: 100)
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func loginPage(failed: Bool) -> String {
        """
        <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>Doorstep ops</title></head><body style="font-family:sans-serif">
        <h1>Doorstep 同步状态</h1>\(failed ? "<p style=\"color:#a00\">That token is not an administrator's.</p>" : "")
        <form method="post" action="/ops/login"><label>Administrator token <input name="token" type="password" size="50"></label>
        <button type="submit">Open</button></form></body></html>
        """
    }
}
