import HTTPTypes
import Hummingbird
import NIOCore
import ServerDirectory
import ServerOps

extension DoorstepServer {
    /// The ops page's tables as CSV for a spreadsheet (`OpsExport`): `/ops/devices.csv`,
    /// `/ops/villages.csv`, `/ops/conflicts.csv`, `/ops/alerts.csv` and one device's history at
    /// `/ops/devices/:id/history.csv`, under the page's own authentication (the ops session, or
    /// an administrator token as a bearer header).
    func addOpsExportRoutes(_ router: Router<DoorstepRequestContext>) {
        for table in OpsExport.Table.allCases {
            router.get(RouterPath(table.path)) { request, context in
                guard try await opsViewer(request, context) else { return html(OpsPage.login(failed: false), status: .unauthorized) }
                let overview = try await overview()
                return csvResponse(table.csv(overview).bytes, filename: table.filename(at: overview.generatedAtMilliseconds))
            }
        }
        router.get("/ops/devices/:id/history.csv") { request, context in
            guard try await opsViewer(request, context) else { return html(OpsPage.login(failed: false), status: .unauthorized) }
            let id = try context.parameters.require("id")
            guard try await access.store.credentials(worker: nil).contains(where: { $0.id == id }) else {
                throw DirectoryError(.unknownDevice, "no device or credential \(id.prefix(40))")
            }
            let records = try await ops.syncHistory(device: id, limit: try historyLimit(request))
            return csvResponse(OpsExport.history(records).bytes, filename: OpsExport.historyFilename(device: id, at: clock()))
        }
    }

    /// A CSV download: UTF-8 (`SpreadsheetCSV` puts the byte-order mark), saved as `filename`,
    /// never cached, never sniffed as something else.
    func csvResponse(_ bytes: [UInt8], filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
