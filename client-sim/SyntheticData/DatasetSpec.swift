import FieldModel

/// What to generate: a seed, a size, a county and the reference date everything is dated from.
///
/// Nothing else goes in: the generator reads no clock and no system randomness, so the spec
/// alone decides every byte of the output.
public struct DatasetSpec: Sendable, Hashable {
    public var seed: UInt64
    public var size: Size
    /// The county the dataset lies in (one of `Yuncheng.counties`); nil picks one from the seed.
    public var county: CountyCode?
    /// "Today" for the dataset: every date lies on or before it, every record id is stamped from it.
    public var asOf: CalendarDate

    public init(seed: UInt64, size: Size, county: CountyCode? = nil, asOf: CalendarDate = DatasetSpec.defaultAsOf) {
        self.seed = seed
        self.size = size
        self.county = county
        self.asOf = asOf
    }

    public static let defaultAsOf = CalendarDate(year: 2026, month: 11, day: 29)!

    /// Reference dates the generator supports: people are born up to 96 years before it and
    /// ID numbers must show a birth year from 1900.
    public static let supportedAsOf = CalendarDate(year: 2000, month: 1, day: 1)!...CalendarDate(year: 2099, month: 12, day: 31)!

    /// The county actually used: the one asked for, or one chosen by the seed.
    ///
    /// The county must be one of `Yuncheng.counties` (a programming error otherwise; the command
    /// line checks it first).
    public var resolvedCounty: Yuncheng.County {
        if let county {
            guard let known = Yuncheng.county(county) else {
                preconditionFailure("county \(county) is not a county of Yuncheng; pick one of Yuncheng.counties")
            }
            return known
        }
        var g = SeededGenerator(seed: seed, stream: 0xC0_0417)
        return g.pick(Yuncheng.counties)
    }

    /// How much to generate.
    public enum Size: Sendable, Hashable, CustomStringConvertible {
        /// One village, about 150 households.
        case village
        /// One township of 30 villages, about 5,000 households.
        case township
        /// One county of 10 townships × 30 villages, about 50,000 households.
        case county
        /// An explicit number of households, about 165 to a village and 30 villages to a township.
        case households(Int)

        public var targetHouseholds: Int {
            switch self {
            case .village: 150
            case .township: 5_000
            case .county: 50_000
            case .households(let n): n
            }
        }

        /// Villages in the dataset.
        public var villageCount: Int {
            switch self {
            case .village: 1
            case .township: 30
            case .county: 300
            case .households(let n): max(1, (n + Size.householdsPerVillage / 2) / Size.householdsPerVillage)
            }
        }

        /// Townships in the dataset: villages are grouped 30 to a township.
        public var townshipCount: Int { (villageCount + Size.villagesPerTownship - 1) / Size.villagesPerTownship }

        static let householdsPerVillage = 165
        static let villagesPerTownship = 30
        /// Township numbers have three digits (streets 001…, towns 101…): stay well inside 999.
        public static let maxHouseholds = 1_000_000

        /// Parses `village`, `township`, `county` or a positive household count.
        public init?(parsing text: String) {
            switch text.lowercased() {
            case "village": self = .village
            case "township": self = .township
            case "county": self = .county
            default:
                guard let n = Int(text), n > 0 else { return nil }
                self = .households(n)
            }
        }

        public var description: String {
            switch self {
            case .village: "village"
            case .township: "township"
            case .county: "county"
            case .households(let n): String(n)
            }
        }
    }
}
