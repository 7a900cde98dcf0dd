import FieldModel

/// A place's conflicts per day, read from the conflict log: how many were opened for a
/// reviewer (`needs_review`) and how many reviewers resolved (`resolved`), the day counted from
/// midnight in China Standard Time.
public struct ConflictDay: Sendable, Hashable {
    public var dayMilliseconds: Int64
    public var opened: Int
    public var resolved: Int

    public init(dayMilliseconds: Int64, opened: Int, resolved: Int) {
        self.dayMilliseconds = dayMilliseconds
        self.opened = opened
        self.resolved = resolved
    }

    /// Midnight in UTC+8 of the day `milliseconds` falls in, as ms since the epoch.
    public static func day(of milliseconds: Int64) -> Int64 {
        Int64(CalendarDate.chinaStandard(millisecondsSinceEpoch: milliseconds).daysSinceEpoch) * 86_400_000 - 8 * 3_600_000
    }
}

/// Conflicts opened and resolved per day as a line chart (`ChartView`): a reviewer who falls
/// behind shows as an opened line above the resolved one.
public struct ConflictChart: Sendable, Hashable {
    public let title: String
    public let days: [ConflictDay]

    /// Every day from `from` up to `to`, zero where the log holds nothing.
    public init(title: String, days logged: [ConflictDay], from: Int64, to: Int64) {
        self.title = title
        let byDay = Dictionary(logged.map { ($0.dayMilliseconds, $0) }, uniquingKeysWith: { a, b in
            ConflictDay(dayMilliseconds: a.dayMilliseconds, opened: a.opened + b.opened, resolved: a.resolved + b.resolved)
        })
        days = ChartView.bucketStarts(from: from, to: to, bucketHours: 24).map { byDay[$0] ?? ConflictDay(dayMilliseconds: $0, opened: 0, resolved: 0) }
    }

    var view: ChartView {
        let opened = days.map(\.opened), resolved = days.map(\.resolved)
        return ChartView(title: title, label: "\(title): \(OpsFormat.count(opened.reduce(0, +))) 个新冲突 opened, \(OpsFormat.count(resolved.reduce(0, +))) 个已裁决 resolved",
                         starts: days.map(\.dayMilliseconds), bucketHours: 24, peak: max(opened.max() ?? 0, resolved.max() ?? 0),
                         series: [("opened", "新冲突", "opened", opened), ("resolved", "已裁决", "resolved", resolved)])
    }

    /// The chart as an `<svg>` element and its legend.
    public var svg: String { view.svg }
}
