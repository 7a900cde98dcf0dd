import Foundation

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
        let width = Int64(bucketHours) * SyncHour.millisecondsPerHour
        // Whole days are counted from midnight in UTC+8, as an officer's day runs.
        let offset = bucketHours % 24 == 0 ? 8 * SyncHour.millisecondsPerHour : 0
        let first = Self.floor(from + offset, width) - offset
        let count = to > first ? Int((to - first + width - 1) / width) : 0
        var buckets = (0..<count).map { Bucket(startMilliseconds: first + Int64($0) * width, syncs: 0, failures: 0) }
        for hour in hours where hour.hourMilliseconds >= first && hour.hourMilliseconds < to {
            let index = Int((hour.hourMilliseconds - first) / width)
            buckets[index].syncs += hour.syncs
            buckets[index].failures += hour.failures
        }
        self.buckets = buckets
    }

    static func floor(_ value: Int64, _ width: Int64) -> Int64 { value - ((value % width) + width) % width }

    // The drawing's frame, in SVG user units.
    static let width = 640.0, height = 200.0, left = 44.0, right = 12.0, top = 28.0, bottom = 30.0

    /// What the `chart` template draws: every coordinate computed here, every text escaped there.
    struct View {
        struct Line { var y: String; var label: String }
        struct Tick { var x: String; var label: String; var anchor: String }
        var title: String, label: String, width: Int, height: Int, succeededValues: String, failureValues: String
        var gridLeft: String, gridRight: String, axisX: String, labelY: String
        var lines: [Line], ticks: [Tick], succeeded: String, failures: String
    }

    var view: View {
        let scale = Self.niceCeiling(max(1, buckets.map(\.syncs).max() ?? 0))
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func x(_ i: Int) -> Double { Self.left + (buckets.count > 1 ? Double(i) / Double(buckets.count - 1) : 0.5) * plotWidth }
        func y(_ v: Int) -> Double { Self.top + plotHeight * (1 - Double(v) / Double(scale)) }
        func points(_ value: (Bucket) -> Int) -> String {
            buckets.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y(value($0.element))) }.joined(separator: " ")
        }
        let total = buckets.reduce(0) { $0 + $1.syncs }, failed = buckets.reduce(0) { $0 + $1.failures }
        return View(title: title, label: "\(title): \(OpsFormat.count(total)) 次同步 syncs, \(OpsFormat.count(failed)) 次失败 failures",
                    width: Int(Self.width), height: Int(Self.height),
                    succeededValues: buckets.map { String($0.succeeded) }.joined(separator: " "),
                    failureValues: buckets.map { String($0.failures) }.joined(separator: " "),
                    gridLeft: String(format: "%.0f", Self.left), gridRight: String(format: "%.0f", Self.width - Self.right),
                    axisX: String(format: "%.0f", Self.left - 6), labelY: String(format: "%.0f", Self.height - 10),
                    lines: [0, scale / 2, scale].map { View.Line(y: String(format: "%.1f", y($0)), label: OpsFormat.count($0)) },
                    ticks: Self.labelled(buckets.count).map {
                        // The outermost labels lean inwards, so neither is cut at the frame.
                        View.Tick(x: String(format: "%.1f", x($0)), label: Self.label(buckets[$0].startMilliseconds, bucketHours: bucketHours),
                                  anchor: $0 == 0 && buckets.count > 1 ? "start" : $0 == buckets.count - 1 && buckets.count > 1 ? "end" : "middle")
                    },
                    succeeded: points(\.succeeded), failures: points(\.failures))
    }

    /// The chart as an `<svg>` element, sized by its viewBox to the width it is given.
    public var svg: String { OpsTemplates.render(view, "chart") }

    /// Up to seven evenly spread bucket indices to label, the first and the last among them.
    static func labelled(_ count: Int) -> [Int] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        let step = max(1, Int((Double(count - 1) / 6).rounded(.up)))
        return Array(Set(Array(stride(from: 0, to: count, by: step)) + [count - 1])).sorted()
    }

    /// A bucket's label in China Standard Time: `12-05` for days, `12-05 14:00` for hours.
    static func label(_ milliseconds: Int64, bucketHours: Int) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = bucketHours % 24 == 0 ? "MM-dd" : "MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// The smallest of 1, 2, 5 × 10^k at or above `value`: the axis's top.
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while true {
            for m in [1, 2, 5] where m * magnitude >= value { return m * magnitude }
            magnitude *= 10
        }
    }
}
