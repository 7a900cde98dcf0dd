/// A village's 12-digit statistical division code (统计用区划代码): the scope of every record.
///
/// Digits 1–6 name the county (GB/T 2260), 7–9 the township, 10–12 the village. A worker's
/// jurisdiction is a set of these; the township and county prefixes group them for review.
public struct VillageCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64

    /// A village code from its number, or a validation error naming what is wrong.
    public init(validating rawValue: UInt64) throws(ValidationError) {
        guard rawValue >= 100_000_000_000, rawValue <= 999_999_999_999 else {
            throw ValidationError(field: "scope", problem: .wrongLength,
                                  message: "village code \(rawValue) does not have 12 digits")
        }
        let county = CountyCode(uncheckedRawValue: UInt32(rawValue / 1_000_000))
        guard county.isStructurallyValid else {
            throw ValidationError(field: "scope", problem: .unknownRegion,
                                  message: "village code \(rawValue) has no valid county prefix \(county.rawValue)")
        }
        guard rawValue / 1000 % 1000 != 0, rawValue % 1000 != 0 else {
            throw ValidationError(field: "scope", problem: .unknownRegion,
                                  message: "village code \(rawValue) has a zero township or village part")
        }
        self.rawValue = rawValue
    }

    public init(validating text: String) throws(ValidationError) {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ValidationError(field: "scope", problem: .invalidCharacter,
                                  message: "village code \"\(text.prefix(20))\" is not all digits")
        }
        guard text.utf8.count == 12, let n = UInt64(text) else {
            throw ValidationError(field: "scope", problem: .wrongLength,
                                  message: "village code \"\(text.prefix(20))\" has \(text.utf8.count) digits, expected 12")
        }
        try self.init(validating: n)
    }

    /// For codes already validated (read back from a store that only holds valid ones).
    public init(uncheckedRawValue: UInt64) { self.rawValue = uncheckedRawValue }

    public var township: TownshipCode { TownshipCode(rawValue: UInt32(rawValue / 1000)) }
    public var county: CountyCode { CountyCode(uncheckedRawValue: UInt32(rawValue / 1_000_000)) }
    public var city: CityCode { county.city }

    public var description: String { String(rawValue) }
    public static func < (a: VillageCode, b: VillageCode) -> Bool { a.rawValue < b.rawValue }
}

/// A township's 9-digit code: a county code and three digits.
public struct TownshipCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var county: CountyCode { CountyCode(uncheckedRawValue: rawValue / 1000) }
    public func contains(_ village: VillageCode) -> Bool { village.township == self }
    public func village(_ number: Int) -> VillageCode {
        VillageCode(uncheckedRawValue: UInt64(rawValue) * 1000 + UInt64(number))
    }
    public var description: String { String(rawValue) }
    public static func < (a: TownshipCode, b: TownshipCode) -> Bool { a.rawValue < b.rawValue }
}

/// A county-level division's 6-digit GB/T 2260 code (县、县级市、区).
public struct CountyCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(uncheckedRawValue: UInt32) { self.rawValue = uncheckedRawValue }

    /// A six-digit number whose first two digits are a province-level code and whose city and
    /// county parts are not zero.
    public var isStructurallyValid: Bool {
        rawValue >= 110_000 && rawValue <= 829_999
            && ProvinceCodes.all.contains(rawValue / 10_000)
            && rawValue / 100 % 100 != 0 && rawValue % 100 != 0
    }

    public var city: CityCode { CityCode(rawValue: UInt16(rawValue / 100)) }
    public func township(_ number: Int) -> TownshipCode { TownshipCode(rawValue: rawValue * 1000 + UInt32(number)) }
    public var description: String { String(rawValue) }
    public static func < (a: CountyCode, b: CountyCode) -> Bool { a.rawValue < b.rawValue }
}

/// A prefecture-level city's 4-digit prefix (1408 for 运城市).
public struct CityCode: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// The province-level divisions' two-digit codes (GB/T 2260), the first digits of every
/// county code and of every resident ID-card number.
public enum ProvinceCodes {
    public static let all: Set<UInt32> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ]
}
