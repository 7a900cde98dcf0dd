/// A resident identity card number (公民身份号码, GB 11643-1999), checked in full.
///
/// 18 characters: a six-digit region code, the birth date as `YYYYMMDD`, a three-digit sequence
/// (odd for men), and a check digit (`0`–`9` or `X`) from ISO 7064 MOD 11-2. No part of the
/// number appears in a validation message; `masked` (region and last four characters) is for a
/// worker's own screen, never a log.
public struct IDCardNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `text` as of `today` (a birth date after today, or before 1900, is implausible).
    ///
    /// Checks run in a fixed order — length, characters, region, birth date, check digit — so a
    /// corruption is reported as the first thing it breaks.
    public init(validating text: String, asOf today: CalendarDate, field: String = Member.Field.idNumber.path) throws(ValidationError) {
        let bytes = Array(text.utf8)
        guard text.count == 18 else {
            throw ValidationError(field: field, problem: .wrongLength,
                                  message: "ID number has \(text.count) characters, expected 18")
        }
        guard bytes.count == 18 else {
            throw ValidationError(field: field, problem: .invalidCharacter,
                                  message: "ID number has a character that is not an ASCII digit")
        }
        for (i, b) in bytes.enumerated() {
            let isDigit = b >= 0x30 && b <= 0x39
            guard isDigit || (i == 17 && (b == 0x58 || b == 0x78)) else {
                throw ValidationError(field: field, problem: .invalidCharacter,
                                      message: "ID number has a non-digit at position \(i + 1)")
            }
        }
        let digits = bytes.prefix(17).map { Int($0 - 0x30) }
        let region = digits[0..<6].reduce(0) { $0 * 10 + $1 }
        guard CountyCode(uncheckedRawValue: UInt32(region)).isStructurallyValid else {
            throw ValidationError(field: field, problem: .unknownRegion,
                                  message: "the ID number's region prefix is not a known division code")
        }
        let year = digits[6..<10].reduce(0) { $0 * 10 + $1 }
        let month = digits[10..<12].reduce(0) { $0 * 10 + $1 }
        let day = digits[12..<14].reduce(0) { $0 * 10 + $1 }
        guard let birth = CalendarDate(year: year, month: month, day: day) else {
            throw ValidationError(field: field, problem: .impossibleDate,
                                  message: "the birth date in the ID number does not exist")
        }
        guard year >= 1900, birth <= today else {
            throw ValidationError(field: field, problem: .implausibleBirthDate,
                                  message: "the birth date in the ID number is before 1900 or after \(today)")
        }
        let expected = IDCardNumber.checkCharacter(forFirst17: digits)
        let actual = bytes[17] == 0x78 ? UInt8(ascii: "X") : bytes[17]
        guard actual == expected else {
            throw ValidationError(field: field, problem: .badCheckDigit,
                                  message: "the ID number's check character does not match its first 17 digits")
        }
        self.rawValue = String(decoding: bytes.prefix(17) + [actual], as: UTF8.self)
    }

    /// The ISO 7064 MOD 11-2 check character for the first 17 digits (each 0–9).
    public static func checkCharacter(forFirst17 digits: [Int]) -> UInt8 {
        precondition(digits.count == 17, "check digit needs exactly 17 digits")
        var sum = 0
        for (i, d) in digits.enumerated() { sum += d * weights[i] }
        return checkCharacters[sum % 11]
    }

    /// Builds a valid number from its parts (used by the synthetic data generator).
    public static func make(region: CountyCode, birth: CalendarDate, sequence: Int) -> IDCardNumber {
        let y = birth.year, m = birth.month, d = birth.day
        let body = String(region.rawValue) + fixed(y, 4) + fixed(m, 2) + fixed(d, 2) + fixed(sequence % 1000, 3)
        let digits = body.utf8.map { Int($0 - 0x30) }
        let check = Character(Unicode.Scalar(checkCharacter(forFirst17: digits)))
        return IDCardNumber(unchecked: body + String(check))
    }

    init(unchecked: String) { self.rawValue = unchecked }

    public var birthDate: CalendarDate {
        let d = Array(rawValue.utf8).map { Int($0) - 0x30 }
        return CalendarDate(year: d[6..<10].reduce(0) { $0 * 10 + $1 },
                            month: d[10] * 10 + d[11], day: d[12] * 10 + d[13])!
    }

    public var isMale: Bool { (Int(Array(rawValue.utf8)[16]) - 0x30) % 2 == 1 }

    /// Region and last four characters only: `140821********123X`.
    public var masked: String { IDCardNumber.mask(rawValue) }
    public var description: String { masked }

    static func mask(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count > 10 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(6)) + String(repeating: "*", count: chars.count - 10) + String(chars.suffix(4))
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [UInt8] = Array("10X98765432".utf8)
}

private func fixed(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}
