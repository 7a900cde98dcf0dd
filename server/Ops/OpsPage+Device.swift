extension OpsPage {
    /// One device: the breadcrumb down to the first place its worker is assigned, its row, and
    /// its exchanges newest first. A device neither enrolled nor with any history is a 404.
    public static func device(_ id: String, tree: OpsRegionTree, records: [SyncRecord]) throws(OpsError) -> String {
        let o = tree.overview
        let row = o.devices.first { $0.id == id }
        guard row != nil || !records.isEmpty else { throw OpsError(.notFound, "no enrolled device \(id.prefix(40)) and no sync history of one") }
        let home = tree.homes(ofDevice: id)?.first ?? .city
        let thresholds = o.thresholds
        let view = DevicePageView(
            title: "\(id) · Doorstep", crumbs: crumbs(home, last: id), hasCrumbs: true, device: id, generated: OpsFormat.time(o.generatedAtMilliseconds),
            current: row.map {
                ListView(heading: "", headingEnglish: "", total: "1", sorts: [], rows: [deviceView($0, tree)], page: 1, pages: 1,
                         previous: nil, next: nil, more: nil)
            },
            recordCount: OpsFormat.count(records.count),
            records: records.map { r in
                let seconds = Double(r.durationMilliseconds) / 1000
                return SyncView(time: OpsFormat.time(r.atMilliseconds), duration: OpsFormat.seconds(seconds),
                                durationSignal: Signal.of(seconds, amber: thresholds.durationAmberSeconds, red: thresholds.durationRedSeconds).rawValue,
                                result: r.result, resultSignal: r.succeeded ? "green" : "red", reason: r.reason, pushed: OpsFormat.count(r.pushed),
                                rejected: OpsFormat.count(r.rejected), pulled: OpsFormat.count(r.pulled), bytesIn: OpsFormat.count(r.bytesIn),
                                bytesOut: OpsFormat.count(r.bytesOut), unsynced: r.health.map { OpsFormat.count($0.outboxCount) } ?? "",
                                app: r.health?.appVersion ?? "")
            }, historyCSV: OpsExport.historyPath(device: id))
        return OpsTemplates.render(view, "device")
    }
}
