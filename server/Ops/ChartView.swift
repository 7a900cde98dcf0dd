/// What the `chart` template draws for any trend (`TrendChart`, `ConflictChart`): series of
/// counts over evenly spaced buckets, every coordinate computed here, every text escaped by
/// the template. The frame is 640 × 200 user units; the axis tops at 1, 2 or 5 × 10^k.
///
/// A bucket without a value (nil: a snapshot never taken) is `-` in `data-values` and no point
/// of the line, which joins the values on either side of it.
struct ChartView {
    struct Line { var y: String; var label: String }
    struct Tick { var x: String; var label: String; var anchor: String }
    struct Series { var key: String; var name: String; var english: String; var values: String; var points: String }
    var title: String, label: String, width: Int, height: Int
    var gridLeft: String, gridRight: String, axisX: String, labelY: String
    var lines: [Line], ticks: [Tick], series: [Series]

    static let width = 640.0, height = 200.0, left = 44.0, right = 12.0, top = 28.0, bottom = 30.0

    /// `series` as lines over buckets starting at `starts`, the axis scaled to `peak`.
    init(title: String, label: String, starts: [Int64], bucketHours: Int, peak: Int,
         series: [(key: String, name: String, english: String, values: [Int?])]) {
        let scale = Self.niceCeiling(max(1, peak))
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func x(_ i: Int) -> Double { Self.left + (starts.count > 1 ? Double(i) / Double(starts.count - 1) : 0.5) * plotWidth }
        func y(_ v: Int) -> Double { Self.top + plotHeight * (1 - Double(v) / Double(scale)) }
        self.title = title
        self.label = label
        width = Int(Self.width)
        height = Int(Self.height)
        gridLeft = String(format: "%.0f", Self.left)
        gridRight = String(format: "%.0f", Self.width - Self.right)
        axisX = String(format: "%.0f", Self.left - 6)
        labelY = String(format: "%.0f", Self.height - 10)
        lines = [0, scale / 2, scale].map { Line(y: String(format: "%.1f", y($0)), label: OpsFormat.count($0)) }
        ticks = Self.labelled(starts.count).map { i in
            // The outermost labels lean inwards, so neither is cut at the frame.
            Tick(x: String(format: "%.1f", x(i)), label: Self.label(starts[i], bucketHours: bucketHours),
                 anchor: i == 0 && starts.count > 1 ? "start" : i == starts.count - 1 && starts.count > 1 ? "end" : "middle")
        }
        self.series = series.map { s in
            Series(key: s.key, name: s.name, english: s.english, values: s.values.map { $0.map(String.init) ?? "-" }.joined(separator: " "),
                   points: s.values.enumerated().compactMap { i, v in v.map { String(format: "%.1f,%.1f", x(i), y($0)) } }.joined(separator: " "))
        }
    }

    /// The chart as an `<svg>` element and its legend.
    var svg: String { OpsTemplates.render(self, "chart") }

    /// Up to seven evenly spread bucket indices to label, the first and the last among them.
    static func labelled(_ count: Int) -> [Int] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        let step = max(1, Int((Double(count - 1) / 6).rounded(.up)))
        return Array(Set(Array(stride(from: 0, to: count, by: step)) + [count - 1])).sorted()
    }

    /// A bucket's label in China Standard Time: `12-05` for days, `12-05 14:00` for hours (the
    /// pages' `2026-12-05 14:00` without the year).
    static func label(_ milliseconds: Int64, bucketHours: Int) -> String {
        let time = OpsFormat.time(milliseconds).dropFirst(5)
        return String(bucketHours % 24 == 0 ? time.prefix(5) : time)
    }

    /// The smallest of 1, 2, 5 × 10^k at or above `value`: the axis's top.
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while true {
            for m in [1, 2, 5] where m * magnitude >= value { return m * magnitude }
            magnitude *= 10
        }
    }

    /// The starts of `bucketHours`-long buckets covering `from` up to `to`, the first at the
    /// start of `from`'s hour, or of its day (midnight in UTC+8, as an officer's day runs) when
    /// buckets are whole days.
    static func bucketStarts(from: Int64, to: Int64, bucketHours: Int) -> [Int64] {
        let width = Int64(bucketHours) * SyncHour.millisecondsPerHour
        let first = bucketHours % 24 == 0 ? ConflictDay.day(of: from) : SyncHour.hour(of: from)
        let count = to > first ? Int((to - first + width - 1) / width) : 0
        return (0..<count).map { first + Int64($0) * width }
    }
}
