import FieldModel

/// Hands out ID-card numbers that are valid and unique within a county.
///
/// The three-digit sequence (odd for men, even for women) is counted per birth date and sex,
/// starting from an offset drawn from the date, so numbers look scattered yet never repeat:
/// 500 people of one sex would have to share a birthday in one county before they could.
struct IDNumberAllocator {
    let region: CountyCode
    let salt: UInt64
    private var issued: [Int32: UInt16] = [:]

    init(region: CountyCode, seed: UInt64) {
        self.region = region
        self.salt = seed
    }

    mutating func make(birth: CalendarDate, male: Bool) -> IDCardNumber {
        let key = birth.daysSinceEpoch * 2 + (male ? 1 : 0)
        let k = Int(issued[key, default: 0])
        issued[key] = UInt16(truncatingIfNeeded: k + 1)
        var mix = SplitMix64(state: salt ^ UInt64(UInt32(bitPattern: key)))
        let offset = Int(mix.next() % 500)
        // 7 is coprime with 500, so the first 500 people of a date and sex get distinct slots.
        let slot = (offset + 7 * k) % 500
        return IDCardNumber.make(region: region, birth: birth, sequence: slot * 2 + (male ? 1 : 0))
    }
}

/// Birth dates and phone numbers.
enum Identity {
    /// A birth date `age` full years before `asOf`, on a random day of that year of life.
    static func birthDate(age: Int, asOf: CalendarDate, _ g: inout SeededGenerator) -> CalendarDate {
        let latest = asOf.adding(months: -12 * age)           // turned `age` today at the latest
        let earliest = asOf.adding(months: -12 * (age + 1)).adding(days: 1)
        return earliest.adding(days: g.int(in: 0...earliest.days(until: latest)))
    }

    /// Age in full years on `date`.
    static func age(of birth: CalendarDate, on date: CalendarDate) -> Int {
        var years = date.year - birth.year
        if (date.month, date.day) < (birth.month, birth.day) { years -= 1 }
        return years
    }

    /// A mainland mobile number: `1`, a carrier digit 3–9, nine more digits.
    static func mobile(_ g: inout SeededGenerator) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "1"), UInt8(ascii: "0") + UInt8(g.int(in: 3...9))]
        for _ in 0..<9 { bytes.append(UInt8(ascii: "0") + UInt8(g.int(below: 10))) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
