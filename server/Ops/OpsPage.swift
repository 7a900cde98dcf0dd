import FieldModel

/// The ops page as plain HTML: tables and inline styles only, no script and no external asset,
/// so it works in an old browser of a county office and prints, and a strict content security
/// policy holds. Every text is escaped. Every page has a logout button (its session ends).
public enum OpsPage {
    public static func render(_ o: OpsOverview) -> String {
        var h = head("Doorstep 同步状态 · sync health")
        let s = o.summary
        h += "<h1>同步状态 Sync health</h1><p class=\"meta\">generated \(time(o.generatedAtMilliseconds)) (UTC+8)</p>"
        h += "<table class=\"summary\"><tr>"
        h += cell("enrolled devices", s.enrolled) + cell("active (synced &lt; \(Int(o.thresholds.lastSyncAmberDays)) days)", s.active)
        h += cell("stale (no sync ≥ \(Int(o.thresholds.lastSyncRedDays)) days)", s.stale) + cell("unsynced changes", s.unsyncedChanges)
        h += cell("conflicts waiting", s.conflictsWaiting) + cell("devices over budget", s.overBudget) + cell("alerts", o.alerts.count)
        h += "</tr></table>"

        h += "<h2 id=\"alerts\">Alerts 告警 (\(o.alerts.count))\(OpsExport.Table.alerts.link)</h2>"
        if o.alerts.isEmpty { h += "<p>None.</p>" } else {
            h += "<table><tr><th>kind</th><th>subject</th><th>since</th><th>detail</th></tr>"
            for a in o.alerts {
                h += "<tr class=\"red\"><td>\(e(a.kind.rawValue))</td><td>\(e(a.subject))</td><td>\(a.sinceMilliseconds.map(time) ?? "never")</td><td>\(e(a.detail))</td></tr>"
            }
            h += "</table>"
        }

        h += "<h2 id=\"devices\">Devices 设备 (\(o.devices.count))\(OpsExport.Table.devices.link)</h2>"
        h += "<table><tr><th>device</th><th>worker</th><th>scope</th><th>last successful sync</th><th>last failure</th><th>unsynced</th><th>oldest unsynced</th><th>app / schema</th><th>last exchange</th><th>budget</th></tr>"
        for d in o.devices {
            h += "<tr class=\"device\" id=\"device-\(e(d.id))\" data-signal=\"\(d.syncSignal.rawValue)\">"
            h += "<td><a href=\"/ops/devices/\(e(d.id))\">\(e(d.id))</a><br><small>\(e(d.name))</small></td>"
            h += "<td>\(e(d.worker))<br><small>\(e(d.role))</small></td><td>\(e(d.scope))</td>"
            h += "<td class=\"\(d.syncSignal.rawValue)\">\(d.lastSuccessMilliseconds.map(time) ?? "never")</td>"
            h += "<td>\(d.lastFailureMilliseconds.map(time) ?? "")<br><small>\(e(d.lastFailure ?? ""))</small></td>"
            h += "<td class=\"\(d.unsynced > 0 ? "amber" : "green")\">\(d.unsynced)</td><td>\(d.oldestUnsyncedMilliseconds.map(time) ?? "")</td>"
            h += "<td>\(e(d.appVersion ?? "")) / \(d.schemaVersion.map(String.init) ?? "")</td>"
            h += "<td class=\"\(d.durationSignal.rawValue)\">\(d.lastDurationSeconds.map { seconds($0) } ?? "")</td>"
            h += "<td class=\"\(d.overBudget ? "red" : "green")\">\(d.overBudget ? "over" : "ok")</td></tr>"
        }
        h += "</table>"

        h += "<h2 id=\"villages\">Coverage by village 村覆盖 (\(o.villages.count))\(OpsExport.Table.villages.link)</h2>"
        h += "<table><tr><th>village</th><th>devices</th><th>synced ≤ 3 days</th><th>≤ 7 days</th><th>≤ 30 days</th><th>last successful sync</th></tr>"
        for v in o.villages {
            h += "<tr class=\"village\" id=\"village-\(e(v.village))\"><td>\(e(v.village))</td><td>\(v.devices)</td>"
            h += "<td>\(percent(v.synced3Days))</td><td>\(percent(v.synced7Days))</td><td>\(percent(v.synced30Days))</td>"
            h += "<td class=\"\(v.signal.rawValue)\">\(v.lastSuccessMilliseconds.map(time) ?? "never")</td></tr>"
        }
        h += "</table>"

        h += "<h2 id=\"conflicts\">Conflicts waiting by township 待审冲突\(OpsExport.Table.conflicts.link)</h2>"
        if o.townships.isEmpty { h += "<p>None.</p>" } else {
            h += "<table><tr><th>township</th><th>waiting</th><th>oldest since</th></tr>"
            for t in o.townships {
                h += "<tr class=\"township\" id=\"township-\(e(t.township))\"><td>\(e(t.township))</td><td>\(t.conflictsWaiting)</td><td>\(t.oldestWaitingMilliseconds.map(time) ?? "")</td></tr>"
            }
            h += "</table>"
        }
        let over = o.devices.filter(\.overBudget)
        h += "<h2 id=\"budget\">Devices over their scope budget (\(over.count))</h2>"
        h += over.isEmpty ? "<p>None.</p>" : "<ul>" + over.map { "<li>\(e($0.id)) — \(e($0.worker)), \(e($0.scope))</li>" }.joined() + "</ul>"
        return h + "</body></html>\n"
    }

    /// One device's sync history, newest first.
    public static func history(device: String, _ records: [SyncRecord], thresholds: OpsThresholds) -> String {
        var h = head("Doorstep · \(device)")
        h += "<p><a href=\"/ops\">← all devices</a></p><h1>Sync history of \(e(device))\(OpsExport.link(OpsExport.historyPath(device: device)))</h1>"
        h += "<table><tr><th>time</th><th>duration</th><th>result</th><th>pushed</th><th>rejected</th><th>pulled</th><th>bytes in / out</th><th>unsynced</th><th>app</th></tr>"
        for r in records {
            let signal = Signal.of(Double(r.durationMilliseconds) / 1000, amber: thresholds.durationAmberSeconds, red: thresholds.durationRedSeconds)
            h += "<tr class=\"sync\"><td>\(time(r.atMilliseconds))</td><td class=\"\(signal.rawValue)\">\(seconds(Double(r.durationMilliseconds) / 1000))</td>"
            h += "<td class=\"\(r.succeeded ? "green" : "red")\">\(e(r.result))\(r.reason.map { "<br><small>\(e($0))</small>" } ?? "")</td>"
            h += "<td>\(r.pushed)</td><td>\(r.rejected)</td><td>\(r.pulled)</td><td>\(r.bytesIn) / \(r.bytesOut)</td>"
            h += "<td>\(r.health.map { String($0.outboxCount) } ?? "")</td><td>\(e(r.health?.appVersion ?? ""))</td></tr>"
        }
        return h + "</table></body></html>\n"
    }

    static func head(_ title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>\(e(title))</title>
        <style>
        body{font-family:sans-serif;font-size:14px;margin:1em;color:#222}
        table{border-collapse:collapse;margin-bottom:1em}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#eee}.green{background:#d9f2d9}.amber{background:#ffe4a8}.red{background:#f7c1c1}
        .summary td{font-size:16px}.meta{color:#666}small{color:#555}.logout{float:right}
        </style></head><body>
        <form class="logout" method="post" action="/ops/logout"><button type="submit">Log out 退出</button></form>
        """
    }

    static func cell(_ label: String, _ value: Int) -> String { "<td><b>\(value)</b><br><small>\(label)</small></td>" }
    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
    static func seconds(_ s: Double) -> String { s < 10 ? "\((s * 10).rounded() / 10) s" : "\(Int(s.rounded())) s" }

    /// `2026-11-29 14:05` in China Standard Time.
    static func time(_ ms: Int64) -> String {
        let local = ms + 8 * 3_600_000
        let date = CalendarDate.chinaStandard(millisecondsSinceEpoch: ms)
        let minutes = Int((local % 86_400_000 + 86_400_000) % 86_400_000 / 60_000)
        return "\(date) \(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
    }

    /// HTML-escaped text.
    static func e(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
