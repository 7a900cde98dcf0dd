import FieldModel

/// One hour of a region's exchanges, folded in as the sync history is written, so the ops
/// page draws fourteen days of a township from 336 rows instead of a scan of the history.
///
/// A region is a city, county or township by its code (4, 6 or 9 digits: never two alike). An
/// exchange counts in every region its worker's assignment touches (`Assignment.trendRegions`):
/// a village assistant's in its township, county and city; a county officer's in the county and
/// the city.
public struct SyncHour: Sendable, Hashable, Codable {
    /// The hour's start, ms since the epoch (a whole hour in UTC, so a whole hour in UTC+8 too).
    public var hourMilliseconds: Int64
    public var syncs: Int
    public var failures: Int
    public var pushed: Int
    public var pulled: Int

    public init(hourMilliseconds: Int64, syncs: Int, failures: Int, pushed: Int, pulled: Int) {
        self.hourMilliseconds = hourMilliseconds
        self.syncs = syncs
        self.failures = failures
        self.pushed = pushed
        self.pulled = pulled
    }

    public static let millisecondsPerHour: Int64 = 3_600_000

    /// The start of the hour `milliseconds` falls in.
    public static func hour(of milliseconds: Int64) -> Int64 {
        milliseconds - ((milliseconds % millisecondsPerHour) + millisecondsPerHour) % millisecondsPerHour
    }
}

extension Assignment {
    /// The regions whose trends an exchange of this assignment counts in: for each village and
    /// township its township, county and city; for each county the county and city; each city.
    public var trendRegions: [Int64] {
        var regions = Set<Int64>()
        for township in townships.union(villages.map(\.township)) {
            regions.formUnion([Int64(township.rawValue), Int64(township.county.rawValue), Int64(township.county.city.rawValue)])
        }
        for county in counties { regions.formUnion([Int64(county.rawValue), Int64(county.city.rawValue)]) }
        for city in cities { regions.insert(Int64(city.rawValue)) }
        return regions.sorted()
    }
}
