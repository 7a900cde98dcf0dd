import FieldModel

/// The ops pages, rendered from the templates of `OpsTemplates`: every page has the layout's
/// logout button and breadcrumb, and every text in it is escaped by the template engine.
public enum OpsPage {
    public static func render(_ o: OpsOverview) -> String {
        let s = o.summary
        let over = o.devices.filter(\.overBudget)
        let view = OverviewView(
            title: "Doorstep 同步状态 · sync health", crumbs: [], hasCrumbs: false, generated: OpsFormat.time(o.generatedAtMilliseconds),
            summary: [
                .init(value: s.enrolled, label: "enrolled devices"), .init(value: s.active, label: "active (synced < \(Int(o.thresholds.lastSyncAmberDays)) days)"),
                .init(value: s.stale, label: "stale (no sync ≥ \(Int(o.thresholds.lastSyncRedDays)) days)"), .init(value: s.unsyncedChanges, label: "unsynced changes"),
                .init(value: s.conflictsWaiting, label: "conflicts waiting"), .init(value: s.overBudget, label: "devices over budget"),
                .init(value: o.alerts.count, label: "alerts"),
            ],
            alertCount: o.alerts.count, hasAlerts: !o.alerts.isEmpty, alerts: o.alerts.map(AlertView.init),
            deviceCount: o.devices.count, devices: o.devices.map(DeviceView.init),
            villageCount: o.villages.count,
            villages: o.villages.map {
                VillageView(village: $0.village, devices: $0.devices, synced3: OpsFormat.percent($0.synced3Days), synced7: OpsFormat.percent($0.synced7Days),
                            synced30: OpsFormat.percent($0.synced30Days), lastSuccess: $0.lastSuccessMilliseconds.map(OpsFormat.time) ?? "never", signal: $0.signal.rawValue)
            },
            hasTownships: !o.townships.isEmpty,
            townships: o.townships.map { TownshipView(township: $0.township, waiting: $0.conflictsWaiting, oldest: $0.oldestWaitingMilliseconds.map(OpsFormat.time) ?? "") },
            overBudgetCount: over.count, hasOverBudget: !over.isEmpty, overBudget: over.map(DeviceView.init))
        return OpsTemplates.render(view, "overview")
    }

    /// One device's sync history, newest first.
    public static func history(device: String, _ records: [SyncRecord], thresholds: OpsThresholds) -> String {
        let view = HistoryView(title: "Doorstep · \(device)", crumbs: [], hasCrumbs: false, device: device, records: records.map { r in
            let seconds = Double(r.durationMilliseconds) / 1000
            return SyncView(time: OpsFormat.time(r.atMilliseconds), duration: OpsFormat.seconds(seconds),
                            durationSignal: Signal.of(seconds, amber: thresholds.durationAmberSeconds, red: thresholds.durationRedSeconds).rawValue,
                            result: r.result, resultSignal: r.succeeded ? "green" : "red", reason: r.reason, pushed: r.pushed, rejected: r.rejected,
                            pulled: r.pulled, bytesIn: r.bytesIn, bytesOut: r.bytesOut, unsynced: r.health.map { String($0.outboxCount) } ?? "",
                            app: r.health?.appVersion ?? "")
        })
        return OpsTemplates.render(view, "history")
    }

    struct Crumb { var href: String?; var label: String }
    struct Figure { var value: Int; var label: String }

    struct OverviewView {
        var title: String, crumbs: [Crumb], hasCrumbs: Bool, generated: String, summary: [Figure]
        var alertCount: Int, hasAlerts: Bool, alerts: [AlertView], deviceCount: Int, devices: [DeviceView]
        var villageCount: Int, villages: [VillageView], hasTownships: Bool, townships: [TownshipView]
        var overBudgetCount: Int, hasOverBudget: Bool, overBudget: [DeviceView]
    }

    struct AlertView {
        var kind: String, subject: String, since: String, detail: String
        init(_ a: OpsOverview.Alert) {
            kind = a.kind.rawValue
            subject = a.subject
            since = a.sinceMilliseconds.map(OpsFormat.time) ?? "never"
            detail = a.detail
        }
    }

    struct DeviceView {
        var id: String, name: String, worker: String, role: String, scope: String, syncSignal: String, lastSuccess: String
        var lastFailureTime: String, lastFailure: String, unsynced: Int, unsyncedSignal: String, oldestUnsynced: String
        var appVersion: String, schemaVersion: String, durationSignal: String, lastDuration: String, budgetSignal: String, budget: String
        init(_ d: OpsOverview.DeviceRow) {
            id = d.id
            name = d.name
            worker = d.worker
            role = d.role
            scope = d.scope
            syncSignal = d.syncSignal.rawValue
            lastSuccess = d.lastSuccessMilliseconds.map(OpsFormat.time) ?? "never"
            lastFailureTime = d.lastFailureMilliseconds.map(OpsFormat.time) ?? ""
            lastFailure = d.lastFailure ?? ""
            unsynced = d.unsynced
            unsyncedSignal = d.unsynced > 0 ? "amber" : "green"
            oldestUnsynced = d.oldestUnsyncedMilliseconds.map(OpsFormat.time) ?? ""
            appVersion = d.appVersion ?? ""
            schemaVersion = d.schemaVersion.map(String.init) ?? ""
            durationSignal = d.durationSignal.rawValue
            lastDuration = d.lastDurationSeconds.map(OpsFormat.seconds) ?? ""
            budgetSignal = d.overBudget ? "red" : "green"
            budget = d.overBudget ? "over" : "ok"
        }
    }

    struct VillageView { var village: String, devices: Int, synced3: String, synced7: String, synced30: String, lastSuccess: String, signal: String }
    struct TownshipView { var township: String, waiting: Int, oldest: String }

    struct HistoryView { var title: String, crumbs: [Crumb], hasCrumbs: Bool, device: String, records: [SyncView] }
    struct SyncView {
        var time: String, duration: String, durationSignal: String, result: String, resultSignal: String, reason: String?
        var pushed: Int, rejected: Int, pulled: Int, bytesIn: Int, bytesOut: Int, unsynced: String, app: String
    }
}
