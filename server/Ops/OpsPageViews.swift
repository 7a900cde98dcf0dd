/// What the templates read: every value already written for the page (times in China
/// Standard Time, counts with separators), so the templates only place and escape them.
extension OpsPage {
    struct Crumb { var href: String?; var label: String }

    struct Figure { var key: String; var value: String; var label: String; var english: String; var detail: String?; var signal: String }

    struct AlertView { var kind: String; var subject: String; var since: String; var detail: String }

    /// A link labelled Chinese first; without `href`, the current choice, shown unlinked.
    struct LabelledLink { var href: String?; var label: String; var english: String }

    /// A long list cut to one page, with its orders and its neighbours.
    struct ListView<Row> {
        var heading: String, headingEnglish: String, total: String
        var sorts: [LabelledLink], rows: [Row], page: Int, pages: Int, previous: String?, next: String?, more: String?
    }

    struct PlaceRow {
        var href: String, name: String, code: String, devices: String, active: String, stale: String, staleSignal: String
        var unsynced: String, unsyncedSignal: String, oldestAge: String, oldest: String, lastSuccess: String, signal: String
        var conflicts: String, conflictSignal: String, alerts: String, alertSignal: String
        /// Percent of its devices synced within the red threshold's days, coloured by `syncedShareRedPercent`.
        var syncedShare: String, shareSignal: String
    }

    /// A place a device's worker is assigned, linked to its page.
    struct ScopeLink { var href: String; var label: String }

    struct DeviceView {
        var id: String, name: String, worker: String, role: String, scopes: [ScopeLink], syncSignal: String, lastSuccess: String
        var lastFailureTime: String, lastFailure: String, unsynced: String, unsyncedSignal: String, oldestAge: String, oldestUnsynced: String
        var appVersion: String, schemaVersion: String, durationSignal: String, lastDuration: String, budgetSignal: String, budget: String
    }

    struct RegionView {
        var title: String, crumbs: [Crumb], hasCrumbs: Bool, heading: String, levelEnglish: String, code: String, generated: String, query: String
        var figures: [Figure], alertTotal: String, hasAlerts: Bool, alertRows: [AlertView], alertMore: String?
        var places: ListView<PlaceRow>?, devices: ListView<DeviceView>?, assigned: ListView<DeviceView>?
        /// The whole fleet's tables as CSV, linked from the city page.
        var hasExports: Bool, exports: [LabelledLink]
        /// The place's exchanges per hour over the last 14 days; nil for a village (trends are
        /// kept for townships, counties and the city).
        var trend: ChartView? = nil
        /// The place's conflicts opened and resolved per day over the last 30 days.
        var conflicts: ChartView? = nil
        /// The place's unsynced changes, the oldest one's age, and its share of devices synced
        /// within 3 and 7 days, per hour over the last 14 days; nil for a village.
        var backlog: ChartView? = nil, age: ChartView? = nil, shares: ChartView? = nil
        /// The place's supervision counts (督办) and its children's; counts only.
        var supervision: SupervisionView? = nil
    }

    struct SupervisionView {
        var note: String, noteEnglish: String, counts: [Figure], hasRows: Bool, childHeading: String, childEnglish: String
        var columns: [LabelledLink], rows: [SupervisionRow], csv: String
    }

    struct SupervisionRow { var href: String, name: String, code: String, cells: [SupervisionCell] }

    struct SupervisionCell { var key: String, value: String }

    struct DevicePageView {
        var title: String, crumbs: [Crumb], hasCrumbs: Bool, device: String, generated: String
        var current: ListView<DeviceView>?, recordCount: String, records: [SyncView], historyCSV: String
    }

    struct SyncView {
        var time: String, duration: String, durationSignal: String, result: String, resultSignal: String, reason: String?
        var pushed: String, rejected: String, pulled: String, bytesIn: String, bytesOut: String, unsynced: String, app: String
    }

    struct PlaceLink { var href: String; var name: String; var level: String; var code: String }

    struct SearchView {
        var title: String, crumbs: [Crumb], hasCrumbs: Bool, query: String, hasQuery: Bool
        var placeTotal: String, hasPlaces: Bool, placeRows: [PlaceLink], placeMore: String?, devices: ListView<DeviceView>?
    }

    struct ProblemView { var title: String, crumbs: [Crumb], hasCrumbs: Bool, heading: String, headingEnglish: String, message: String }
}
