import FieldModel
import SyntheticData

/// Reference rules written out here, independently of FieldModel, to check it against.
enum Reference {
    /// ISO 7064 MOD 11-2 computed the "pure system" way (a running remainder, doubled per digit),
    /// not with GB 11643's weight table that FieldModel uses. The check character C makes
    /// `(p + C) mod 11 == 1`, where `p` is the remainder after the 17 digits.
    static func checkCharacter(_ first17: some StringProtocol) -> Character {
        precondition(first17.count == 17)
        var p = 0
        for c in first17 { p = ((p + c.wholeNumberValue!) * 2) % 11 }
        let value = (12 - p) % 11
        return value == 10 ? "X" : Character(String(value))
    }

    /// The Gregorian leap-year rule.
    static func isLeap(_ y: Int) -> Bool { y % 400 == 0 || (y % 4 == 0 && y % 100 != 0) }

    static func daysIn(month m: Int, year y: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// Zero-padded decimal.
    static func digits(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `YYYYMMDD`.
    static func compact(_ y: Int, _ m: Int, _ d: Int) -> String { digits(y, 4) + digits(m, 2) + digits(d, 2) }

    /// A full 18-character number with its correct check character.
    static func idNumber(region: Int, year: Int, month: Int, day: Int, sequence: Int) -> String {
        let body = digits(region, 6) + compact(year, month, day) + digits(sequence, 3)
        return body + String(checkCharacter(body))
    }
}

/// Building blocks for the tests: a fixed "today", villages, ids, people, households.
enum Fixture {
    /// The device's today in every test: no test reads the clock.
    static let today = date(2024, 6, 15)

    /// Real county codes of provinces other than Shanxi (and two pre-2000 Yuncheng codes that
    /// older ID numbers still carry).
    static let otherCounties: [Int] = [
        110101, 110108, 120104, 130102, 150102, 210102, 220102, 230103, 310104, 320102, 330106,
        340102, 350102, 360102, 370102, 410105, 420106, 430102, 440305, 450102, 460105, 500103,
        510104, 520102, 530102, 540102, 610113, 620102, 630102, 640104, 650102, 142701, 142702,
    ]

    static func date(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate {
        guard let date = CalendarDate(year: y, month: m, day: d) else { preconditionFailure("\(y)-\(m)-\(d)") }
        return date
    }

    /// 临猗县 (140821), township 101, village 001.
    static let village = VillageCode(uncheckedRawValue: 140_821_101_001)

    /// A distinct, well-formed version-7 record id for each `n`.
    static func rid(_ n: UInt64) -> RecordID {
        RecordID(high: (0x0190_0000_0000 + n) << 16 | 0x7000 | (n & 0xFFF), low: 0x8000_0000_0000_0000 | n)
    }

    static func worker(_ text: String) throws -> WorkerID { try WorkerID(validating: text) }

    static func idNumber(region: Int = 140821, year: Int = 1965, month: Int = 3, day: Int = 12,
                         sequence: Int = 27) throws -> IDCardNumber {
        let text = Reference.idNumber(region: region, year: year, month: month, day: day, sequence: sequence)
        return try IDCardNumber(validating: text, asOf: today)
    }

    static func household(id: UInt64 = 1, category: HouseholdCategory = .ruralDibao,
                          classification: EconomicClassification = .stable,
                          status: WorkflowStatus = .covered, standardFen: Int64 = 61_000,
                          amountFen: Int64 = 45_050, coveredSince: CalendarDate? = date(2021, 3, 1),
                          lastReviewedOn: CalendarDate? = nil, phone: String? = "13812345678") throws -> Household {
        Household(id: rid(id), village: village, headName: "张三", headIDNumber: try idNumber(),
                  addressDetail: "临猗县城关镇东街村3组12号", phone: phone, category: category,
                  classification: classification, status: status, monthlyStandardFen: standardFen,
                  monthlyAmountFen: amountFen, monthlyIncomeFen: 30_000, assetsFen: 500_000,
                  appliedOn: date(2020, 11, 2), coveredSince: coveredSince,
                  lastReviewedOn: lastReviewedOn, notes: "")
    }

    static func member(id: UInt64 = 100, household: UInt64 = 1, labour: LabourAbility = .none,
                       status: MemberStatus = .present, disability: DisabilityKind = .none,
                       grade: Int = 0, seriousIllness: Bool = false) throws -> Member {
        Member(id: rid(id), householdID: rid(household), village: village, name: "李四",
               idNumber: try idNumber(year: 1988, sequence: Int(id % 1000)), relation: .spouse,
               disabilityKind: disability, disabilityGrade: grade, seriousIllness: seriousIllness,
               labourAbility: labour, status: status)
    }
}
