import FieldModel

extension OpsPage {
    /// Rows of a place's alerts shown before the page says how many more there are.
    static let alertRowsShown = 20

    /// The page of `region`: its summary, alerts, children (places, or a village's devices),
    /// and the devices assigned to the place itself. A place the tree does not hold is a 404.
    public static func region(_ tree: OpsRegionTree, _ region: OpsRegion, query: OpsListQuery, trend: TrendChart? = nil,
                              conflicts: ConflictChart? = nil, health: HealthChart? = nil,
                              supervision: SupervisionTable? = nil) throws(OpsError) -> String {
        guard let figures = tree.figures[region] else {
            throw OpsError(.notFound, "no \(region.level.english) \(region.code) has devices, villages or conflicts on this server")
        }
        let o = tree.overview
        let alerts = tree.alerts(in: region)
        var view = RegionView(
            title: "\(region.name) · 同步状态 sync health", crumbs: crumbs(region, last: nil), hasCrumbs: true,
            heading: region == .city ? "\(region.name) 同步状态" : region.name, levelEnglish: region == .city ? "sync health of the city" : region.level.english,
            code: region == .city ? "全市 whole city" : "\(region.level.chinese) \(region.code)", generated: OpsFormat.time(o.generatedAtMilliseconds), query: "",
            figures: summary(figures, thresholds: o.thresholds, now: o.generatedAtMilliseconds, shareSignal: tree.shareSignal(of: region)),
            alertTotal: OpsFormat.count(alerts.count), hasAlerts: !alerts.isEmpty, alertRows: alerts.prefix(alertRowsShown).map { alertView($0) },
            alertMore: alerts.count > alertRowsShown ? "显示前 \(alertRowsShown) 条，共 \(OpsFormat.count(alerts.count)) 条；下级页面列出各自的告警 (first \(alertRowsShown) shown; each lower page lists its own)" : nil,
            places: nil, devices: nil, assigned: nil, hasExports: region == .city,
            exports: region == .city ? OpsExport.Table.allCases.map { LabelledLink(href: $0.path, label: $0.linkLabel.chinese, english: $0.linkLabel.english) } : [])
        view.trend = trend?.view
        view.conflicts = conflicts?.view
        view.backlog = health?.backlogView
        view.age = health?.ageView
        view.shares = health?.shareView
        view.supervision = supervision?.view
        let assigned = tree.devices(assignedTo: region)
        if case .village = region {
            view.devices = try deviceList(assigned, heading: ("本村设备", "devices of the village"), path: region.path, extra: "", query: query, tree: tree)
        } else {
            let children = tree.children(of: region)
            let (chinese, english) = childLevel(region)
            let sorted = sortPlaces(children, tree, query.sort)
            let (rows, pages) = try query.cut(sorted)
            view.places = ListView(heading: chinese, headingEnglish: english, total: OpsFormat.count(children.count), sorts: sortLinks(region.path, extra: "", query.sort),
                                   rows: rows.map { placeRow($0, tree) }, page: query.page, pages: pages,
                                   previous: query.page > 1 ? link(region.path, extra: "", query.sort, query.page - 1) : nil,
                                   next: query.page < pages ? link(region.path, extra: "", query.sort, query.page + 1) : nil, more: nil)
            if !assigned.isEmpty {
                let shown = assigned.prefix(OpsListQuery.pageSize)
                view.assigned = ListView(heading: "本级人员设备", headingEnglish: "devices of staff assigned to the whole \(region.level.english)",
                                         total: OpsFormat.count(assigned.count), sorts: [], rows: shown.map { deviceView($0, tree) },
                                         page: 1, pages: 1, previous: nil, next: nil,
                                         more: assigned.count > shown.count ? "显示最差的 \(shown.count) 台；用搜索找其余设备 (the worst \(shown.count) shown; search for the others)" : nil)
            }
        }
        return OpsTemplates.render(view, "region")
    }

    /// The breadcrumb from the city down to `region`, then `last` (a device) if given.
    static func crumbs(_ region: OpsRegion, last: String?) -> [Crumb] {
        var all = region.lineage.reversed().map { Crumb(href: $0.path, label: $0 == .city ? "\($0.name) city" : $0.name) }
        if let last { all.append(Crumb(href: nil, label: last)) } else { all[all.count - 1].href = nil }
        return all
    }

    static func childLevel(_ region: OpsRegion) -> (String, String) {
        switch region {
        case .city: ("各县", "counties")
        case .county: ("各乡镇", "townships")
        case .township, .village: ("各村", "villages")
        }
    }

    static func summary(_ f: OpsRegionTree.Figures, thresholds: OpsThresholds, now: Int64, shareSignal: Signal) -> [Figure] {
        [
            Figure(key: "devices", value: OpsFormat.count(f.devices), label: "设备", english: "devices", detail: nil, signal: ""),
            Figure(key: "active", value: OpsFormat.count(f.active), label: "活跃", english: "active", detail: "\(Int(thresholds.lastSyncAmberDays)) 天内同步 synced < \(Int(thresholds.lastSyncAmberDays)) days", signal: ""),
            Figure(key: "stale", value: OpsFormat.count(f.stale), label: "停滞", english: "stale", detail: "≥ \(Int(thresholds.lastSyncRedDays)) 天未同步 no sync ≥ \(Int(thresholds.lastSyncRedDays)) days", signal: f.stale > 0 ? "red" : "green"),
            Figure(key: "syncedShare", value: f.syncedShare.map { "\($0)%" } ?? "—", label: "7 天内同步", english: "synced within 7 days",
                   detail: "< \(Int(thresholds.syncedShareRedPercent))% 为红 red", signal: shareSignal.rawValue),
            Figure(key: "unsynced", value: OpsFormat.count(f.unsyncedChanges), label: "未同步更改", english: "unsynced changes", detail: nil, signal: f.unsyncedChanges > 0 ? "amber" : "green"),
            Figure(key: "oldest", value: f.oldestUnsyncedMilliseconds.map { "\(OpsFormat.days(from: $0, to: now)) 天" } ?? "—", label: "最早未同步", english: "oldest unsynced, days",
                   detail: f.oldestUnsyncedMilliseconds.map(OpsFormat.time), signal: ""),
            Figure(key: "conflicts", value: OpsFormat.count(f.conflictsWaiting), label: "待审冲突", english: "conflicts waiting", detail: nil, signal: f.conflictsWaiting > 0 ? "amber" : "green"),
            Figure(key: "alerts", value: OpsFormat.count(f.alerts), label: "告警", english: "alerts", detail: nil, signal: f.alerts > 0 ? "red" : "green"),
            Figure(key: "overBudget", value: OpsFormat.count(f.overBudget), label: "超出预算", english: "over scope budget", detail: nil, signal: f.overBudget > 0 ? "red" : "green"),
        ]
    }

    static func placeRow(_ r: OpsRegion, _ tree: OpsRegionTree) -> PlaceRow {
        let f = tree.figures[r] ?? OpsRegionTree.Figures()
        let now = tree.overview.generatedAtMilliseconds
        return PlaceRow(href: r.path, name: r.name, code: r.code, devices: OpsFormat.count(f.devices), active: OpsFormat.count(f.active),
                        stale: OpsFormat.count(f.stale), staleSignal: f.stale > 0 ? "red" : "green",
                        unsynced: OpsFormat.count(f.unsyncedChanges), unsyncedSignal: f.unsyncedChanges > 0 ? "amber" : "green",
                        oldestAge: f.oldestUnsyncedMilliseconds.map { "\(OpsFormat.days(from: $0, to: now)) 天 days" } ?? "",
                        oldest: f.oldestUnsyncedMilliseconds.map(OpsFormat.time) ?? "",
                        lastSuccess: f.lastSuccessMilliseconds.map(OpsFormat.time) ?? (f.devices > 0 ? "从未 never" : "无设备 no devices"),
                        signal: tree.signal(of: r).rawValue, conflicts: OpsFormat.count(f.conflictsWaiting), conflictSignal: f.conflictsWaiting > 0 ? "amber" : "green",
                        alerts: OpsFormat.count(f.alerts), alertSignal: f.alerts > 0 ? "red" : "green",
                        syncedShare: f.syncedShare.map { "\($0)%" } ?? "—", shareSignal: tree.shareSignal(of: r).rawValue)
    }

    static func sortPlaces(_ places: [OpsRegion], _ tree: OpsRegionTree, _ sort: OpsListQuery.Sort) -> [OpsRegion] {
        let f = { (r: OpsRegion) in tree.figures[r] ?? OpsRegionTree.Figures() }
        switch sort {
        case .name: return places
        case .signal: return places.sorted { (tree.signal(of: $1), f($1).stale, $0.code) < (tree.signal(of: $0), f($0).stale, $1.code) }
        case .unsynced: return places.sorted { (f($1).unsyncedChanges, $0.code) < (f($0).unsyncedChanges, $1.code) }
        case .oldest: return places.sorted { (f($0).oldestUnsyncedMilliseconds ?? .max, $0.code) < (f($1).oldestUnsyncedMilliseconds ?? .max, $1.code) }
        case .last: return places.sorted { (f($0).lastSuccessMilliseconds ?? .min, $0.code) < (f($1).lastSuccessMilliseconds ?? .min, $1.code) }
        }
    }

    static func sortDevices(_ rows: [OpsOverview.DeviceRow], _ sort: OpsListQuery.Sort) -> [OpsOverview.DeviceRow] {
        switch sort {
        case .signal: return rows
        case .name: return rows.sorted { $0.id < $1.id }
        case .unsynced: return rows.sorted { ($1.unsynced, $0.id) < ($0.unsynced, $1.id) }
        case .oldest: return rows.sorted { ($0.oldestUnsyncedMilliseconds ?? .max, $0.id) < ($1.oldestUnsyncedMilliseconds ?? .max, $1.id) }
        case .last: return rows.sorted { ($0.lastSuccessMilliseconds ?? .min, $0.id) < ($1.lastSuccessMilliseconds ?? .min, $1.id) }
        }
    }

    /// `rows` (in the overview's worst-first order) sorted and cut as `query` says.
    static func deviceList(_ rows: [OpsOverview.DeviceRow], heading: (String, String), path: String, extra: String, query: OpsListQuery,
                           tree: OpsRegionTree) throws(OpsError) -> ListView<DeviceView> {
        let (page, pages) = try query.cut(sortDevices(rows, query.sort))
        return ListView(heading: heading.0, headingEnglish: heading.1, total: OpsFormat.count(rows.count), sorts: sortLinks(path, extra: extra, query.sort),
                        rows: page.map { deviceView($0, tree) }, page: query.page, pages: pages,
                        previous: query.page > 1 ? link(path, extra: extra, query.sort, query.page - 1) : nil,
                        next: query.page < pages ? link(path, extra: extra, query.sort, query.page + 1) : nil, more: nil)
    }

    static let sortNames: [(OpsListQuery.Sort, String, String)] = [
        (.signal, "状态", "worst first"), (.name, "名称", "name"), (.unsynced, "未同步", "unsynced"),
        (.oldest, "最早未同步", "oldest unsynced"), (.last, "最近同步", "last sync"),
    ]

    static func sortLinks(_ path: String, extra: String, _ current: OpsListQuery.Sort) -> [LabelledLink] {
        sortNames.map { LabelledLink(href: $0.0 == current ? nil : link(path, extra: extra, $0.0, 1), label: $0.1, english: $0.2) }
    }

    /// `path?…sort=…&page=…`; `extra` is an already encoded parameter (`q=…&`) or empty.
    static func link(_ path: String, extra: String, _ sort: OpsListQuery.Sort, _ page: Int) -> String {
        "\(path)?\(extra)sort=\(sort.rawValue)&page=\(page)"
    }

    static func alertView(_ a: OpsOverview.Alert) -> AlertView {
        AlertView(kind: alertKinds[a.kind] ?? a.kind.rawValue, subject: a.subject, since: a.sinceMilliseconds.map(OpsFormat.time) ?? "从未 never", detail: a.detail)
    }

    static let alertKinds: [OpsOverview.Alert.Kind: String] = [
        .unsyncedChanges: "未同步更改 unsynced_changes", .silentVillage: "村无同步 silent_village",
        .conflictWaiting: "冲突待审 conflict_waiting", .creationBudget: "新增预算 creation_budget",
        .evidenceOnPhone: "佐证材料未上传 evidence_on_phone",
    ]

    /// A device's row; its scope as links to the places its worker is assigned.
    static func deviceView(_ d: OpsOverview.DeviceRow, _ tree: OpsRegionTree) -> DeviceView {
        let now = tree.overview.generatedAtMilliseconds
        let scopes = (tree.homes(ofDevice: d.id) ?? []).map { ScopeLink(href: $0.path, label: $0 == .city ? "\($0.name) 全市" : $0.name) }
        return DeviceView(id: d.id, name: d.name, worker: d.worker, role: Role(rawValue: d.role).map { "\($0.chineseName) \($0.rawValue)" } ?? d.role,
                   scopes: scopes, syncSignal: d.syncSignal.rawValue, lastSuccess: d.lastSuccessMilliseconds.map(OpsFormat.time) ?? "从未 never",
                   lastFailureTime: d.lastFailureMilliseconds.map(OpsFormat.time) ?? "", lastFailure: d.lastFailure ?? "",
                   unsynced: OpsFormat.count(d.unsynced), unsyncedSignal: d.unsynced > 0 ? "amber" : "green",
                   oldestAge: d.unsynced > 0 ? d.oldestUnsyncedMilliseconds.map { "\(OpsFormat.days(from: $0, to: now)) 天 days" } ?? "" : "",
                   oldestUnsynced: d.oldestUnsyncedMilliseconds.map(OpsFormat.time) ?? "",
                   appVersion: d.appVersion ?? "", schemaVersion: d.schemaVersion.map(String.init) ?? "",
                   durationSignal: d.durationSignal.rawValue, lastDuration: d.lastDurationSeconds.map(OpsFormat.seconds) ?? "",
                   budgetSignal: d.overBudget ? "red" : "green", budget: d.overBudget ? "超出 over" : "正常 ok")
    }
}
