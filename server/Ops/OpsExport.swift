import FieldModel

/// The ops page's tables as spreadsheets (`SpreadsheetCSV`) for the bureau's reports: the same
/// rows in the same order as the page, headed in Chinese with the English term beside it, times
/// in China Standard Time as `yyyy-MM-dd HH:mm`, counts as plain numbers a sheet can sum.
public enum OpsExport {
    /// A table of the overview, downloadable at `path`.
    public enum Table: String, Sendable, CaseIterable {
        case devices, villages, conflicts, alerts

        public var path: String { "/ops/\(rawValue).csv" }

        /// `doorstep-devices-2026-11-30.csv`: the table and the day (UTC+8) it was taken.
        public func filename(at milliseconds: Int64) -> String {
            "doorstep-\(rawValue)-\(CalendarDate.chinaStandard(millisecondsSinceEpoch: milliseconds)).csv"
        }

        public var header: [String] {
            switch self {
            case .devices:
                ["设备 device", "设备名称 device name", "工作人员 worker", "角色 role", "范围 scope", "同步状态 sync signal",
                 "最近成功同步 last successful sync", "最近失败 last failure", "失败原因 failure reason", "未同步修改 unsynced changes",
                 "最早未同步 oldest unsynced", "应用版本 app version", "数据版本 schema version", "最近交换耗时(秒) last exchange (s)",
                 "范围预算 scope budget"]
            case .villages:
                ["村 village", "设备数 devices", "3天内同步 synced ≤ 3 days", "7天内同步 synced ≤ 7 days", "30天内同步 synced ≤ 30 days",
                 "最近成功同步 last successful sync", "状态 signal"]
            case .conflicts:
                ["乡镇 township", "待审冲突 conflicts waiting", "最早待审自 oldest waiting since"]
            case .alerts:
                ["类型 kind", "对象 subject", "起始 since", "详情 detail"]
            }
        }

        /// The table's rows of `o`, as the page lists them.
        public func csv(_ o: OpsOverview) -> SpreadsheetCSV {
            var csv = SpreadsheetCSV(header: header)
            switch self {
            case .devices:
                for d in o.devices {
                    csv.append([d.id, d.name, d.worker, Role(rawValue: d.role)?.chineseName ?? d.role, d.scope, OpsExport.label(d.syncSignal),
                                d.lastSuccessMilliseconds.map(OpsFormat.time) ?? OpsExport.never, d.lastFailureMilliseconds.map(OpsFormat.time) ?? "",
                                d.lastFailure ?? "", String(d.unsynced), d.oldestUnsyncedMilliseconds.map(OpsFormat.time) ?? "",
                                d.appVersion ?? "", d.schemaVersion.map(String.init) ?? "", d.lastDurationSeconds.map(OpsExport.seconds) ?? "",
                                d.overBudget ? "超出 over" : "正常 ok"])
                }
            case .villages:
                for v in o.villages {
                    csv.append([v.village, String(v.devices), OpsFormat.percent(v.synced3Days), OpsFormat.percent(v.synced7Days),
                                OpsFormat.percent(v.synced30Days), v.lastSuccessMilliseconds.map(OpsFormat.time) ?? OpsExport.never, OpsExport.label(v.signal)])
                }
            case .conflicts:
                for t in o.townships {
                    csv.append([t.township, String(t.conflictsWaiting), t.oldestWaitingMilliseconds.map(OpsFormat.time) ?? ""])
                }
            case .alerts:
                for a in o.alerts {
                    csv.append([OpsExport.label(a.kind), a.subject, a.sinceMilliseconds.map(OpsFormat.time) ?? OpsExport.never, a.detail])
                }
            }
            return csv
        }

        /// What the city page calls the table beside its download link.
        var linkLabel: (chinese: String, english: String) {
            switch self {
            case .devices: ("设备", "devices")
            case .villages: ("村覆盖", "village coverage")
            case .conflicts: ("待审冲突", "conflicts by township")
            case .alerts: ("告警", "alerts")
            }
        }
    }

    public static let historyHeader = ["时间 time", "耗时(秒) duration (s)", "结果 result", "原因 reason", "上传修改 pushed", "拒收 rejected",
                                       "下载记录 pulled", "收到字节 bytes in", "发送字节 bytes out", "未同步修改 unsynced", "应用版本 app version"]

    /// One device's sync history, newest first, as its page lists it.
    public static func history(_ records: [SyncRecord]) -> SpreadsheetCSV {
        var csv = SpreadsheetCSV(header: historyHeader)
        for r in records {
            csv.append([OpsFormat.time(r.atMilliseconds), seconds(Double(r.durationMilliseconds) / 1000), r.result, r.reason ?? "",
                        String(r.pushed), String(r.rejected), String(r.pulled), String(r.bytesIn), String(r.bytesOut),
                        r.health.map { String($0.outboxCount) } ?? "", r.health?.appVersion ?? ""])
        }
        return csv
    }

    public static func historyPath(device: String) -> String { "/ops/devices/\(device)/history.csv" }

    /// `doorstep-history-dev-1a2b-2026-11-30.csv`; only letters, digits and `-` of the id, so the
    /// name needs no quoting in a header.
    public static func historyFilename(device: String, at milliseconds: Int64) -> String {
        let safe = String(device.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }.prefix(64))
        return "doorstep-history-\(safe)-\(CalendarDate.chinaStandard(millisecondsSinceEpoch: milliseconds)).csv"
    }

    static let never = "从未 never"

    /// Seconds with one decimal, a number a sheet reads: `2.5`.
    static func seconds(_ s: Double) -> String { String((s * 10).rounded() / 10) }

    static func label(_ signal: Signal) -> String {
        switch signal {
        case .green: "绿 green"
        case .amber: "黄 amber"
        case .red: "红 red"
        }
    }

    static func label(_ kind: OpsOverview.Alert.Kind) -> String {
        let chinese = switch kind {
        case .unsyncedChanges: "未同步修改"
        case .silentVillage: "村无同步"
        case .conflictWaiting: "冲突待审"
        case .creationBudget: "新建户超额"
        case .evidenceOnPhone: "佐证材料未上传"
        }
        return "\(chinese) \(kind.rawValue)"
    }
}
