/// A line chart of a region's exchanges over time, drawn on the server as inline SVG: no
/// script, no external asset, so the strict content security policy of the ops pages holds and
/// the chart prints. Two lines: successful syncs (blue) and failures (red), per bucket of
/// `bucketHours`, every bucket of the window present (zero where nothing happened), so a
/// township whose phones stopped syncing shows a line falling to the floor.
///
///     let chart = TrendChart(title: "每日同步 Syncs per day", hours: trend, from: start, to: now, bucketHours: 24)
///     let svg = chart.svg            // <svg role="img" aria-label="…"> … </svg>, from the `chart` template
public struct TrendChart: Sendable, Hashable {
    public struct Bucket: Sendable, Hashable {
        /// The bucket's start, ms since the epoch.
        public var startMilliseconds: Int64
        public var syncs: Int
        public var failures: Int
        /// Successful exchanges: syncs less failures.
        public var succeeded: Int { syncs - failures }
    }

    public let title: String
    public let buckets: [Bucket]
    public let bucketHours: Int

    /// Folds `hours` (a region's `SyncHour`s) into buckets of `bucketHours` from `from` up to
    /// `to`; buckets start at midnight China Standard Time when they are whole days.
    public init(title: String, hours: [SyncHour], from: Int64, to: Int64, bucketHours: Int) {
        precondition(bucketHours > 0, "a bucket spans at least an hour")
        self.title = title
        self.bucketHours = bucketHours
        var buckets = ChartView.bucketStarts(from: from, to: to, bucketHours: bucketHours).map { Bucket(startMilliseconds: $0, syncs: 0, failures: 0) }
        let width = Int64(bucketHours) * SyncHour.millisecondsPerHour
        if let first = buckets.first?.startMilliseconds {
            for hour in hours where hour.hourMilliseconds >= first && hour.hourMilliseconds < to {
                let index = Int((hour.hourMilliseconds - first) / width)
                buckets[index].syncs += hour.syncs
                buckets[index].failures += hour.failures
            }
        }
        self.buckets = buckets
    }

    var view: ChartView {
        let total = buckets.reduce(0) { $0 + $1.syncs }, failed = buckets.reduce(0) { $0 + $1.failures }
        return ChartView(title: title, label: "\(title): \(OpsFormat.count(total)) 次同步 syncs, \(OpsFormat.count(failed)) 次失败 failures",
                         starts: buckets.map(\.startMilliseconds), bucketHours: bucketHours, peak: buckets.map(\.syncs).max() ?? 0,
                         series: [("succeeded", "成功", "succeeded", buckets.map(\.succeeded)), ("failures", "失败", "failed", buckets.map(\.failures))])
    }

    /// The chart as an `<svg>` element, sized by its viewBox to the width it is given.
    public var svg: String { view.svg }
}
