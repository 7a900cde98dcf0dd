import FieldModel

/// Record ids stamped from the day a record was made, never from the wall clock.
///
/// A UUIDv7 carries its creation instant; synthetic records are "created" on the date they
/// describe (a household on its application day, a visit on the visit day) at a working hour in
/// China Standard Time, so ids sort the way the real ones would.
enum RecordStamps {
    static let msPerDay: Int64 = 86_400_000
    static let cstOffset: Int64 = 8 * 3_600_000

    /// Milliseconds since the epoch for a random instant between 08:00 and 18:00 CST on `date`.
    static func milliseconds(on date: CalendarDate, _ g: inout SeededGenerator) -> Int64 {
        let midnightCST = Int64(date.daysSinceEpoch) * msPerDay - cstOffset
        return midnightCST + 8 * 3_600_000 + Int64(g.int(below: 10 * 3_600_000))
    }

    /// A new version-7 id made on `date`.
    static func id(on date: CalendarDate, _ g: inout SeededGenerator) -> RecordID {
        RecordID(milliseconds: milliseconds(on: date, &g), using: &g)
    }
}
