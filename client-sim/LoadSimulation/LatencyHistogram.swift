import Histogram

/// Latencies recorded in an HDR histogram (microseconds, 3 significant digits, up to an hour):
/// percentiles of millions of exchanges in a few kilobytes, without keeping or sorting samples.
public struct LatencyHistogram: Sendable {
    private var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                              numberOfSignificantValueDigits: .three)

    public init() {}

    public var count: Int { Int(histogram.totalCount) }

    /// Records one latency; values past an hour count as an hour.
    public mutating func record(milliseconds: Double) {
        histogram.record(UInt64(min(3_600_000_000, max(0, milliseconds * 1000)).rounded()))
    }

    public mutating func record(_ duration: Duration) {
        record(milliseconds: Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Adds every latency `other` recorded.
    public mutating func add(_ other: LatencyHistogram) { histogram.add(other.histogram) }

    /// The latency at `percentile` (0…100), milliseconds; 0 when nothing was recorded.
    public func milliseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    public var maxMilliseconds: Double { Double(histogram.max) / 1000 }

    public var percentiles: LoadReport.Percentiles {
        LoadReport.Percentiles(p50: milliseconds(atPercentile: 50), p95: milliseconds(atPercentile: 95),
                               p99: milliseconds(atPercentile: 99), max: maxMilliseconds)
    }
}
