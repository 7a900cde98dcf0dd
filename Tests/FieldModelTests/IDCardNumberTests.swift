import FieldModel
import Testing
import SyntheticData

/// 公民身份号码 (GB 11643-1999): six-digit region, birth date, three-digit sequence (odd for men),
/// ISO 7064 MOD 11-2 check character. Numbers are generated here and checked with the independent
/// reference in `Reference.checkCharacter`, never with `IDCardNumber.make`.
@Suite("ID-card numbers")
struct IDCardNumberTests {
    struct Generated {
        let text: String
        let region: Int, year: Int, month: Int, day: Int, sequence: Int
        var birth: String { Reference.compact(year, month, day) }
    }

    /// Valid numbers: half from Yuncheng's real counties, half from other provinces' real counties.
    static func validNumbers(count: Int, seed: UInt64) -> [Generated] {
        var rng = SeededGenerator(seed: seed)
        let yuncheng = Yuncheng.counties.map { Int($0.code.rawValue) }
        return (0..<count).map { i in
            let pool = i.isMultiple(of: 2) ? yuncheng : Fixture.otherCounties
            let region = pool[Int.random(in: 0..<pool.count, using: &rng)]
            let year = Int.random(in: 1920...2020, using: &rng)
            let month = Int.random(in: 1...12, using: &rng)
            let day = Int.random(in: 1...Reference.daysIn(month: month, year: year), using: &rng)
            let sequence = Int.random(in: 0...999, using: &rng)
            let text = Reference.idNumber(region: region, year: year, month: month, day: day, sequence: sequence)
            return Generated(text: text, region: region, year: year, month: month, day: day, sequence: sequence)
        }
    }

    static func problem(_ text: String) -> ValidationError.Problem? {
        do {
            _ = try IDCardNumber(validating: text, asOf: Fixture.today)
            return nil
        } catch {
            return error.problem
        }
    }

    @Test("the reference check digit agrees with the examples printed in GB 11643")
    func referenceMatchesPublishedExamples() {
        #expect(Reference.checkCharacter("11010519491231002") == "X")
        #expect(Reference.checkCharacter("44052418800101001") == "4")
    }

    @Test("1,200 generated valid numbers are accepted and read back")
    func generatedValidNumbersAreAccepted() throws {
        let numbers = Self.validNumbers(count: 1_200, seed: 0x1D_CA4D)
        #expect(numbers.contains { $0.text.hasSuffix("X") }, "the sample should include X check characters")
        for g in numbers {
            let id = try IDCardNumber(validating: g.text, asOf: Fixture.today)
            #expect(id.rawValue == g.text)
            #expect(id.birthDate == Fixture.date(g.year, g.month, g.day))
            #expect(id.isMale == !g.sequence.isMultiple(of: 2), "odd sequence numbers are men's: \(g.text)")
        }
    }

    @Test("a lowercase x check character is accepted and stored as X")
    func lowercaseXIsNormalised() throws {
        let withX = Self.validNumbers(count: 2_000, seed: 7).filter { $0.text.hasSuffix("X") }.prefix(60)
        #expect(withX.count == 60)
        for g in withX {
            let id = try IDCardNumber(validating: String(g.text.dropLast()) + "x", asOf: Fixture.today)
            let upper = try IDCardNumber(validating: g.text, asOf: Fixture.today)
            #expect(id.rawValue == g.text)
            #expect(id == upper)
        }
    }

    @Test("the masked form keeps region and last four and never shows the birth date")
    func maskedHidesTheBirthDate() throws {
        for g in Self.validNumbers(count: 1_000, seed: 0x0A5C) {
            let id = try IDCardNumber(validating: g.text, asOf: Fixture.today)
            let masked = Array(id.masked)
            #expect(masked.count == 18)
            #expect(String(masked[0..<6]) == Reference.digits(g.region, 6))
            #expect(masked[6..<14].allSatisfy { $0 == "*" })
            #expect(String(masked[14...]) == String(g.text.suffix(4)))
            #expect(!id.masked.contains(g.birth))
            #expect(id.description == id.masked)
        }
    }

    // MARK: Corruptions

    /// Ways a number goes wrong, each with the problem the policy's checks must name.
    enum Corruption: String, CaseIterable, Sendable {
        case checkDigit, impossibleDate, length, region, character, birthOutOfRange

        var expected: ValidationError.Problem {
            switch self {
            case .checkDigit: .badCheckDigit
            case .impossibleDate: .impossibleDate
            case .length: .wrongLength
            case .region: .unknownRegion
            case .character: .invalidCharacter
            case .birthOutOfRange: .implausibleBirthDate
            }
        }

        func apply(to g: Generated, _ rng: inout SeededGenerator) -> String {
            func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
            func withCheck(_ body: String) -> String { body + String(Reference.checkCharacter(body)) }
            let region = Reference.digits(g.region, 6), seq = Reference.digits(g.sequence, 3)
            switch self {
            case .checkDigit:
                let right = g.text.last!
                let wrong = Array("0123456789X").filter { $0 != right }
                return String(g.text.dropLast()) + String(pick(wrong))
            case .impossibleDate:
                let y = g.year, m = g.month
                let nonLeap = pick(Array(1920...2020).filter { !Reference.isLeap($0) })
                let date: String = switch Int.random(in: 0..<5, using: &rng) {
                case 0: Reference.digits(y, 4) + pick(["00", "13", "14", "20", "99"]) + "15"
                case 1: Reference.digits(y, 4) + Reference.digits(m, 2) + "00"
                case 2: Reference.digits(y, 4) + Reference.digits(m, 2) + Reference.digits(Int.random(in: 32...99, using: &rng), 2)
                case 3: Reference.digits(y, 4) + pick(["0230", "0231", "0431", "0631", "0931", "1131"])
                default: Reference.digits(nonLeap, 4) + "0229"
                }
                return withCheck(region + date + seq)
            case .length:
                let n = pick(Array(0...17) + Array(19...30))
                let digits = g.text + "1234567890123"
                return String(digits.prefix(n))
            case .region:
                let province = g.region / 10_000, city = g.region / 100 % 100
                let bad: String = switch Int.random(in: 0..<5, using: &rng) {
                case 0: "99" + Reference.digits(g.region % 10_000, 4)
                case 1: Reference.digits(pick([0, 10, 16, 20, 24, 30, 39, 40, 48, 55, 60, 66, 70, 72, 80, 83, 90]), 2)
                    + Reference.digits(g.region % 10_000, 4)
                case 2: Reference.digits(province * 100 + city, 4) + "00" // a city's code (140800)
                case 3: Reference.digits(province, 2) + "0000" // a province's code
                default: Reference.digits(province, 2) + "00" + Reference.digits(g.region % 100, 2)
                }
                return withCheck(bad + g.birth + seq)
            case .character:
                var chars = Array(g.text)
                if Bool.random(using: &rng) {
                    chars[Int.random(in: 0...16, using: &rng)] = pick(["A", "X", "x", " ", "-", "/", "\u{0}", "一", "１", "é", "🙂"])
                } else {
                    chars[17] = pick(["A", "Y", "*", "×", "Ｘ"])
                }
                return String(chars)
            case .birthOutOfRange:
                var y: Int, m: Int, d: Int
                repeat {
                    let future = Bool.random(using: &rng)
                    y = future ? Int.random(in: 2024...2099, using: &rng) : Int.random(in: 1000...1899, using: &rng)
                    m = Int.random(in: 1...12, using: &rng)
                    d = Int.random(in: 1...Reference.daysIn(month: m, year: y), using: &rng)
                } while (1900...2024).contains(y) && Reference.compact(y, m, d) <= "20240615"
                return withCheck(region + Reference.compact(y, m, d) + seq)
            }
        }
    }

    @Test("300 corrupted numbers of each kind are rejected with the right problem", arguments: Corruption.allCases)
    func corruptedNumbersAreRejected(_ corruption: Corruption) {
        var rng = SeededGenerator(seed: 0xBAD_1D + UInt64(Corruption.allCases.firstIndex(of: corruption)!))
        for g in Self.validNumbers(count: 300, seed: 0xC0FFEE) {
            let text = corruption.apply(to: g, &rng)
            #expect(text != g.text)
            do {
                _ = try IDCardNumber(validating: text, asOf: Fixture.today, field: "household.headIDNumber")
                Issue.record("accepted \(corruption) corruption \(text.debugDescription) of \(g.text)")
            } catch {
                #expect(error.problem == corruption.expected, "\(text.debugDescription): \(error)")
                #expect(error.field == "household.headIDNumber")
                // Never the number itself: not even its region and birth date together.
                #expect(!error.message.contains(g.text), "the number leaked: \(error)")
                #expect(text.count < 14 || !error.message.contains(String(text.prefix(14))), "the number leaked: \(error)")
            }
        }
    }

    @Test("birth dates: today and 1900-01-01 are the plausible limits", arguments: [
        ("20240615", nil), ("20240616", .implausibleBirthDate), ("20991231", .implausibleBirthDate),
        ("19000101", nil), ("18991231", .implausibleBirthDate), ("10000101", .implausibleBirthDate),
        ("20000229", nil), ("20200229", nil), ("19000229", .impossibleDate), ("20230229", .impossibleDate),
        ("19960431", .impossibleDate), ("19961301", .impossibleDate), ("19960100", .impossibleDate),
    ] as [(String, ValidationError.Problem?)])
    func birthDateLimits(birth: String, expected: ValidationError.Problem?) {
        let body = "140821" + birth + "201"
        #expect(Self.problem(body + String(Reference.checkCharacter(body))) == expected)
    }

    @Test("a number that breaks several rules is reported by the first check it fails", arguments: [
        // length, characters, region, birth date, check digit — in that order
        ("14082119650312A27", .wrongLength),
        ("990821196503A20271", .invalidCharacter),
        ("990821196513320270", .unknownRegion),
        ("140821196513320270", .impossibleDate),
        ("140821209901010270", .implausibleBirthDate),
    ] as [(String, ValidationError.Problem)])
    func firstBrokenRuleIsReported(text: String, expected: ValidationError.Problem) {
        #expect(Self.problem(text) == expected)
    }

    @Test("the error names member.idNumber unless told otherwise")
    func defaultFieldName() {
        let error = #expect(throws: ValidationError.self) {
            try IDCardNumber(validating: "123", asOf: Fixture.today)
        }
        #expect(error?.field == "member.idNumber")
        #expect(error?.problem == .wrongLength)
    }
}
