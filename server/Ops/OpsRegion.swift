import FieldModel

/// A place of the drill-down: the city, a county, a township or a village, named by its
/// administrative code (the village's 12 digits, the township's first 9, the county's first 6).
public enum OpsRegion: Sendable, Hashable, Comparable {
    case city
    case county(CountyCode)
    case township(TownshipCode)
    case village(VillageCode)

    /// The region one level up; nil for the city.
    public var parent: OpsRegion? {
        switch self {
        case .city: nil
        case .county: .city
        case .township(let t): .county(t.county)
        case .village(let v): .township(v.township)
        }
    }

    /// This region and every region above it, the city last.
    public var lineage: [OpsRegion] {
        var all = [self]
        while let up = all.last!.parent { all.append(up) }
        return all
    }

    public var code: String {
        switch self {
        case .city: ""
        case .county(let c): c.description
        case .township(let t): t.description
        case .village(let v): v.description
        }
    }

    /// The region whose sync trends (`SyncHour`) the page draws: the city's, a county's or a
    /// township's code; nil for a village, for which none are kept.
    public var trendRegion: Int64? {
        switch self {
        case .city: Int64(Yuncheng.city.rawValue)
        case .county(let c): Int64(c.rawValue)
        case .township(let t): Int64(t.rawValue)
        case .village: nil
        }
    }

    /// The village codes inside the region (12 digits: city 4, county 2, township 3, village 3).
    public var villageCodes: Range<Int64> {
        switch self {
        case .city: Int64(Yuncheng.city.rawValue) * 100_000_000..<(Int64(Yuncheng.city.rawValue) + 1) * 100_000_000
        case .county(let c): Int64(c.rawValue) * 1_000_000..<(Int64(c.rawValue) + 1) * 1_000_000
        case .township(let t): Int64(t.rawValue) * 1_000..<(Int64(t.rawValue) + 1) * 1_000
        case .village(let v): Int64(v.rawValue)..<Int64(v.rawValue) + 1
        }
    }

    /// The page that shows the region.
    public var path: String {
        switch self {
        case .city: "/ops"
        case .county(let c): "/ops/counties/\(c)"
        case .township(let t): "/ops/townships/\(t)"
        case .village(let v): "/ops/villages/\(v)"
        }
    }

    /// What staff call it: the county's name for the pilot city's counties, else the level and
    /// the code (the server knows townships and villages by code only).
    public var name: String {
        switch self {
        case .city: "运城市"
        case .county(let c): Yuncheng.county(c)?.name ?? "县 \(c)"
        case .township(let t): "乡镇 \(t)"
        case .village(let v): "村 \(v)"
        }
    }

    /// The level's name, Chinese first: `县 county`.
    public var level: (chinese: String, english: String) {
        switch self {
        case .city: ("市", "city")
        case .county: ("县", "county")
        case .township: ("乡镇", "township")
        case .village: ("村", "village")
        }
    }

    var depth: Int { lineage.count }

    public static func < (a: OpsRegion, b: OpsRegion) -> Bool { (a.depth, a.code) < (b.depth, b.code) }

    /// The regions an assignment puts a worker's device in: each assigned place and every place above it.
    static func regions(of assignment: Assignment) -> Set<OpsRegion> {
        var all: Set<OpsRegion> = []
        for v in assignment.villages { all.formUnion(OpsRegion.village(v).lineage) }
        for t in assignment.townships { all.formUnion(OpsRegion.township(t).lineage) }
        for c in assignment.counties { all.formUnion(OpsRegion.county(c).lineage) }
        if !assignment.cities.isEmpty { all.insert(.city) }
        return all
    }

    /// The places an assignment names directly (the device's home regions).
    static func homes(of assignment: Assignment) -> [OpsRegion] {
        assignment.villages.sorted().map(OpsRegion.village) + assignment.townships.sorted().map(OpsRegion.township)
            + assignment.counties.sorted().map(OpsRegion.county) + (assignment.cities.isEmpty ? [] : [.city])
    }
}

extension OpsRegion {
    /// A county, township or village from the code in a page's path: all digits, 6, 9 or 12 of
    /// them, with a real province and non-zero parts; anything else is a 400 naming the code.
    public static func parse(_ level: String, _ text: String) throws(OpsError) -> OpsRegion {
        let shown = String(text.prefix(24))
        let digits: Int
        switch level {
        case "counties": digits = 6
        case "townships": digits = 9
        case "villages": digits = 12
        default: throw OpsError(.notFound, "no kind of place \"\(level.prefix(24))\" (counties, townships, villages)")
        }
        guard text.utf8.count == digits, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(text) else {
            throw OpsError(.badRequest, "\"\(shown)\" is not a code of \(digits) digits")
        }
        let county = CountyCode(uncheckedRawValue: UInt32(n / (digits == 6 ? 1 : digits == 9 ? 1_000 : 1_000_000)))
        guard county.isStructurallyValid else { throw OpsError(.badRequest, "\(shown) has no valid county prefix \(county)") }
        switch digits {
        case 6: return .county(county)
        case 9:
            guard n % 1_000 != 0 else { throw OpsError(.badRequest, "township code \(shown) has a zero township part") }
            return .township(TownshipCode(rawValue: UInt32(n)))
        default:
            do { return .village(try VillageCode(validating: n)) } catch { throw OpsError(.badRequest, error.message) }
        }
    }
}
