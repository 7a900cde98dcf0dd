/// A region's device health over time (`HealthHour` snapshots) as three line charts
/// (`ChartView`): the unsynced changes its devices hold, the age of the oldest of them, and the
/// share of its devices that synced within 3 and within 7 days. A township whose phones
/// stop syncing shows its share falling to the floor while the age of what they hold rises.
///
///     let chart = HealthChart(hours: snapshots, from: now - 14 * 86_400_000, to: now)
///     chart.points.map(\.percentWithin3Days)     // [100, nil, …, 0]: nil where none was taken
public struct HealthChart: Sendable, Hashable {
    /// One bucket (an hour) of the window: its snapshot's figures, nil when none was taken.
    public struct Point: Sendable, Hashable {
        public var startMilliseconds: Int64
        public var unsyncedChanges: Int?
        public var oldestUnsyncedDays: Int?
        public var percentWithin3Days: Int?
        public var percentWithin7Days: Int?
    }

    public let points: [Point]

    /// Every hour from `from` up to `to`, each with the snapshot of its hour among `hours`.
    public init(hours: [HealthHour], from: Int64, to: Int64) {
        let byHour = Dictionary(hours.map { ($0.hourMilliseconds, $0) }, uniquingKeysWith: { a, b in a.takenAtMilliseconds >= b.takenAtMilliseconds ? a : b })
        points = ChartView.bucketStarts(from: from, to: to, bucketHours: 1).map { start in
            let h = byHour[start]
            return Point(startMilliseconds: start, unsyncedChanges: h?.unsyncedChanges, oldestUnsyncedDays: h?.oldestUnsyncedDays,
                         percentWithin3Days: h.map { $0.percent($0.syncedWithin3Days) }, percentWithin7Days: h.map { $0.percent($0.syncedWithin7Days) })
        }
    }

    /// Unsynced changes the devices last reported.
    var backlogView: ChartView {
        line("未同步更改 Unsynced changes", ("unsynced", "未同步更改", "unsynced changes", points.map(\.unsyncedChanges))) {
            "\(OpsFormat.count($0)) 条 changes"
        }
    }

    /// The oldest unsynced change's age, whole days (0 when none is unsynced).
    var ageView: ChartView {
        line("最早未同步 Oldest unsynced, days", ("oldest", "最早未同步天数", "oldest unsynced, days", points.map(\.oldestUnsyncedDays))) {
            "\($0) 天 days"
        }
    }

    /// One series over the window, its axis scaled to its peak, its label ending with its latest value.
    private func line(_ title: String, _ series: (key: String, name: String, english: String, values: [Int?]),
                      latest: (Int) -> String) -> ChartView {
        let now = series.values.last { $0 != nil }.flatMap { $0 }.map(latest) ?? "无快照 no snapshot"
        return ChartView(title: title, label: "\(title): \(now)", starts: points.map(\.startMilliseconds), bucketHours: 1,
                         peak: series.values.compactMap { $0 }.max() ?? 0, series: [series])
    }

    /// Percent of the devices synced within 3 and within 7 days, on an axis of 0 to 100.
    var shareView: ChartView {
        let within3 = points.map(\.percentWithin3Days), within7 = points.map(\.percentWithin7Days)
        let latest = points.last { $0.percentWithin3Days != nil }
        let now = latest.map { "3 天内 within 3 days \($0.percentWithin3Days ?? 0)%, 7 天内 within 7 days \($0.percentWithin7Days ?? 0)%" }
            ?? "无快照 no snapshot"
        let title = "按时同步的设备 % Devices synced"
        return ChartView(title: title, label: "\(title): \(now)", starts: points.map(\.startMilliseconds), bucketHours: 1, peak: 100,
                         series: [("within3", "3 天内同步 %", "synced within 3 days", within3), ("within7", "7 天内同步 %", "synced within 7 days", within7)])
    }

    /// The charts as `<svg>` elements with their legends.
    public var backlogSVG: String { backlogView.svg }
    public var ageSVG: String { ageView.svg }
    public var shareSVG: String { shareView.svg }
}
