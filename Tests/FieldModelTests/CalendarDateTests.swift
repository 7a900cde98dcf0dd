import FieldModel
import Testing

/// Calendar dates are day counts since 1970-01-01, the same on every device whatever its zone.
/// Checked against a reference that walks the calendar one day at a time.
@Suite("Calendar dates")
struct CalendarDateTests {
    /// Every day from 1900-01-01 to 2100-12-31 with its day number, counted by walking.
    static let walk: [(y: Int, m: Int, d: Int, days: Int32)] = {
        // 1900-01-01 is 25,567 days before the epoch: 70 years, 17 of them leap (1904…1968).
        var out: [(Int, Int, Int, Int32)] = []
        var n: Int32 = -(70 * 365 + 17)
        for y in 1900...2100 {
            for m in 1...12 {
                for d in 1...Reference.daysIn(month: m, year: y) {
                    out.append((y, m, d, n))
                    n += 1
                }
            }
        }
        return out
    }()

    @Test("the epoch is day zero, the day before is -1")
    func epoch() {
        #expect(Fixture.date(1970, 1, 1).daysSinceEpoch == 0)
        #expect(Fixture.date(1969, 12, 31).daysSinceEpoch == -1)
        #expect(Fixture.date(1970, 3, 1).daysSinceEpoch == 31 + 28)
    }

    @Test("every day 1900–2100 converts both ways and prints as ISO")
    func everyDayRoundTrips() throws {
        for (y, m, d, n) in Self.walk {
            let date = try #require(CalendarDate(year: y, month: m, day: d))
            #expect(date.daysSinceEpoch == n)
            let back = CalendarDate(daysSinceEpoch: n)
            #expect(back.year == y && back.month == m && back.day == d)
            let iso = Reference.digits(y, 4) + "-" + Reference.digits(m, 2) + "-" + Reference.digits(d, 2)
            #expect(date.description == iso)
            #expect(CalendarDate(iso: iso) == date)
        }
    }

    @Test("parts that name no real day give nil", arguments: [1900, 1999, 2000, 2023, 2024, 2100])
    func impossiblePartsAreNil(year: Int) {
        for month in -1...14 {
            for day in -1...33 {
                let real = (1...12).contains(month) && (1...Reference.daysIn(month: month, year: year)).contains(day)
                #expect((CalendarDate(year: year, month: month, day: day) != nil) == real, "\(year)-\(month)-\(day)")
            }
        }
    }

    @Test("leap years follow the Gregorian rule", arguments: [
        (1900, false), (1996, true), (2000, true), (2023, false), (2024, true), (2100, false), (2400, true),
    ])
    func leapYears(year: Int, leap: Bool) {
        #expect(CalendarDate.isLeap(year) == leap)
        #expect(CalendarDate.daysIn(month: 2, year: year) == (leap ? 29 : 28))
    }

    @Test("ISO parsing takes exactly YYYY-MM-DD with ASCII digits", arguments: [
        "2023-2-01", "2023-02-1", "20230201", "2023/02/01", "2023-02-29", "2023-13-01", "2023-00-10",
        "", "-", "--", "2023-02-01-", " 2023-02-01", "+123-01-01", "2023-+1-05", "2023--1-05", "0000-01-01",
        "２０２３-02-01", "2023-0２-01", "abcd-ef-gh",
    ])
    func isoRejects(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test("adding months keeps the day, clamped to the month's last day", arguments: [
        // Aug 31 + 6 months: February's last day, 28 or 29
        ("2022-08-31", 6, "2023-02-28"), ("2023-08-31", 6, "2024-02-29"), ("2099-08-31", 6, "2100-02-28"),
        ("2024-01-31", 1, "2024-02-29"), ("2024-03-31", 1, "2024-04-30"), ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"), ("2024-12-15", 1, "2025-01-15"), ("2024-01-15", -1, "2023-12-15"),
        ("2024-03-31", -1, "2024-02-29"), ("2024-06-15", -30, "2021-12-15"), ("2024-06-15", 0, "2024-06-15"),
    ])
    func addingMonthsExamples(from: String, months: Int, expected: String) throws {
        let start = try #require(CalendarDate(iso: from))
        #expect(start.adding(months: months).description == expected)
    }

    @Test("adding months agrees with the reference for every day 2019–2026 and ±25 months")
    func addingMonthsSweep() {
        for (y, m, d, n) in Self.walk where (2019...2026).contains(y) {
            let start = CalendarDate(daysSinceEpoch: n)
            for k in -25...25 {
                let total = y * 12 + (m - 1) + k
                let ny = total / 12, nm = total % 12 + 1 // total stays positive here
                let nd = min(d, Reference.daysIn(month: nm, year: ny))
                let got = start.adding(months: k)
                #expect(got.year == ny && got.month == nm && got.day == nd, "\(start) + \(k) months = \(got)")
            }
        }
    }

    @Test("month arithmetic at the edges of the calendar returns a date instead of trapping")
    func addingMonthsAtTheEdges() {
        let last = Fixture.date(9999, 12, 31)
        #expect(last.adding(months: 1) == last.adding(days: 31))
        let first = Fixture.date(1, 1, 31)
        #expect(first.adding(months: -1) == first.adding(days: -31))
        _ = CalendarDate(daysSinceEpoch: .max).adding(months: 12)
        _ = CalendarDate(daysSinceEpoch: .min).adding(months: -12)
        #expect(CalendarDate(daysSinceEpoch: .max).adding(days: 1).daysSinceEpoch == .max)
    }

    @Test("adding days, counting days and ordering are day arithmetic")
    func dayArithmetic() {
        let a = Fixture.date(2024, 2, 28), b = Fixture.date(2024, 3, 1)
        #expect(a.adding(days: 2) == b)
        #expect(b.adding(days: -2) == a)
        #expect(a.days(until: b) == 2)
        #expect(b.days(until: a) == -2)
        #expect(a < b && !(b < a) && a <= a)
        #expect(Fixture.date(2023, 12, 31).adding(days: 1) == Fixture.date(2024, 1, 1))
        #expect(Fixture.date(1899, 12, 31) < Fixture.date(1900, 1, 1))
    }

    @Test("an instant's date is taken in China Standard Time (UTC+8)", arguments: [
        (0, "1970-01-01"),
        (-8 * 3_600_000, "1970-01-01"),     // 1969-12-31 16:00 UTC is midnight in Beijing
        (-8 * 3_600_000 - 1, "1969-12-31"),
        (16 * 3_600_000 - 1, "1970-01-01"), // 15:59:59.999 UTC is 23:59:59.999 in Beijing
        (16 * 3_600_000, "1970-01-02"),
        (-86_400_000 * 365, "1969-01-01"),
    ] as [(Int64, String)])
    func chinaStandardTime(ms: Int64, expected: String) {
        #expect(CalendarDate.chinaStandard(millisecondsSinceEpoch: ms).description == expected)
    }

    @Test("the device's today in Beijing for instants across a day")
    func chinaStandardTimeOfToday() throws {
        let today = try #require(Self.walk.first { $0.y == 2024 && $0.m == 6 && $0.d == 15 })
        let midnightUTC = Int64(today.days) * 86_400_000
        // 2024-06-14 16:00 UTC … 2024-06-15 15:59:59.999 UTC is 2024-06-15 in Beijing.
        for offset in stride(from: -8 * 3_600_000, to: 16 * 3_600_000, by: 3_599_999) as StrideTo<Int64> {
            #expect(CalendarDate.chinaStandard(millisecondsSinceEpoch: midnightUTC + offset) == Fixture.today)
        }
        #expect(CalendarDate.chinaStandard(millisecondsSinceEpoch: midnightUTC - 8 * 3_600_000 - 1) == Fixture.today.adding(days: -1))
    }
}
