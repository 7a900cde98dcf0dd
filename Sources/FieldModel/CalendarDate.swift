/// A calendar date (no time, no zone): visit dates, review due dates, birth dates.
///
/// Stored as days since 1970-01-01 so arithmetic and comparison are integer operations and
/// identical on every device, whatever its locale or time zone.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// A date from its parts, or nil when the parts name no real day (2023-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.daysSinceEpoch = Int32(CalendarDate.days(fromCivil: year, month, day))
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2, parts[2].utf8.count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var year: Int { CalendarDate.civil(fromDays: Int(daysSinceEpoch)).year }
    public var month: Int { CalendarDate.civil(fromDays: Int(daysSinceEpoch)).month }
    public var day: Int { CalendarDate.civil(fromDays: Int(daysSinceEpoch)).day }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: Int32(clamping: Int(daysSinceEpoch) + days))
    }

    /// The same day `months` later, clamped to the month's last day (Aug 31 + 6 months = Feb 28/29).
    public func adding(months: Int) -> CalendarDate {
        let (y, m, d) = CalendarDate.civil(fromDays: Int(daysSinceEpoch))
        let total = y * 12 + (m - 1) + months
        let ny = total >= 0 ? total / 12 : (total - 11) / 12 // floor, also before year 0
        let nm = total - ny * 12 + 1
        let nd = min(d, CalendarDate.daysIn(month: nm, year: ny))
        // Not the failable init: a date read from a record may lie outside 1…9999.
        return CalendarDate(daysSinceEpoch: Int32(clamping: CalendarDate.days(fromCivil: ny, nm, nd)))
    }

    public func days(until other: CalendarDate) -> Int { Int(other.daysSinceEpoch) - Int(daysSinceEpoch) }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public var description: String {
        let (y, m, d) = CalendarDate.civil(fromDays: Int(daysSinceEpoch))
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// The date of an instant given in milliseconds since the epoch, in China Standard Time (UTC+8).
    public static func chinaStandard(millisecondsSinceEpoch ms: Int64) -> CalendarDate {
        let shifted = ms + 8 * 3_600_000
        let days = shifted >= 0 ? shifted / 86_400_000 : (shifted - 86_399_999) / 86_400_000
        return CalendarDate(daysSinceEpoch: Int32(days))
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-from-days algorithms: exact over the proleptic Gregorian calendar.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
