import FieldModel
import SyncCore

/// Values no field accepts, swept over the fields they attack: every write is refused with
/// `invalid_value` and the record keeps its value.
extension HostileAPICatalogue {
    /// A resident ID number of village A's county with every wrong check character, and
    /// numbers malformed in every other way.
    static func forgedIDNumbers(county: CountyCode, today: CalendarDate) -> [(String, String)] {
        let valid = IDCardNumber.make(region: county, birth: CalendarDate(year: 1968, month: 5, day: 17)!, sequence: 123).rawValue
        let body = String(valid.prefix(17))
        var out = "0123456789X".compactMap { c -> (String, String)? in
            String(c) == String(valid.suffix(1)) ? nil : ("check character \(c) instead of \(valid.suffix(1))", body + String(c))
        }
        /// 17 digits with their right check character: a number wrong in its content, not its checksum.
        func checked(_ first17: String) -> String {
            first17 + String(Character(Unicode.Scalar(IDCardNumber.checkCharacter(forFirst17: first17.utf8.map { Int($0) - 0x30 }))))
        }
        let future = today.adding(days: 400)
        out += [
            ("17 characters", body),
            ("19 characters", valid + "0"),
            ("a letter inside", String(body.prefix(10)) + "A" + String(body.dropFirst(11)) + String(valid.suffix(1))),
            ("full-width digits", String(valid.map { c in c.isASCII && c.isNumber ? Character(UnicodeScalar(c.unicodeScalars.first!.value + 0xFEE0)!) : c })),
            ("the 30th of February", checked(String(body.prefix(6)) + "19680230" + String(body.suffix(3)))),
            ("a birth date after today", IDCardNumber.make(region: county, birth: future, sequence: 1).rawValue),
            ("a birth date in 1899", checked(String(body.prefix(6)) + "18991231" + String(body.suffix(3)))),
            ("region 000000", checked("000000" + String(body.dropFirst(6)))),
            ("spaces around", " " + valid + " "),
            ("empty", ""),
        ]
        return out
    }

    static var valueSweeps: [HostileCase] {
        var cases: [HostileCase] = []
        // Forged and malformed ID numbers, on the household head and on a member.
        for (field, collection) in [("headIDNumber", RecordCollection.household), ("idNumber", .member)] {
            for (name, text) in forgedIDNumbers(county: ScopeFixture.codes[0].county, today: .chinaStandard(millisecondsSinceEpoch: HTTPFixture.now)) {
                cases.append(.rejected("sync: \(collection.name).\(field) with \(name)", "invalid_value") { s in
                    try s.set(field, .text(text), of: collection == .household ? s.household : s.member)
                })
            }
        }
        // Negative and absurd money, on every money field (the subsidy fields as the reviewer, who may write them).
        let money: [(String, Int64, Bool)] = [("monthlyIncomeFen", incomeCap, false), ("assetsFen", assetsCap, false),
                                              ("monthlyStandardFen", incomeCap, true), ("monthlyAmountFen", incomeCap, true)]
        for (field, cap, asReviewer) in money {
            for (name, value) in [("-1 fen", Int64(-1)), ("Int64.min", Int64.min), ("one over the cap", cap + 1), ("Int64.max", Int64.max)] {
                cases.append(.rejected("sync: household.\(field) of \(name)", "invalid_value") { s in
                    try s.set(field, .int(value), by: asReviewer ? s.reviewer : nil)
                })
            }
            cases.append(.rejected("sync: household.\(field) as text", "invalid_value") { s in
                try s.set(field, .text("100"), by: asReviewer ? s.reviewer : nil)
            })
        }
        for (field, value) in [("monthlyIncomeFen", Int64(-50_000)), ("monthlyIncomeFen", Int64.max), ("assetsFen", Int64(-1))] {
            cases.append(.rejected("sync: a visit with \(field) \(value)", "invalid_value") { s in
                let (key, op) = s.visitCreate([field: .int(value)])
                return try s.push(op, on: key, context: VersionVector())
            })
        }
        // Empty, oversized and broken strings.
        let strings: [(String, String, String)] = [
            ("headName", "empty", ""), ("headName", "only spaces", "   "), ("headName", "41 characters", String(repeating: "王", count: 41)),
            ("headName", "a NUL", "王\u{0}五"), ("headName", "a line break", "王\n五"), ("headName", "digits", "12345"),
            ("addressDetail", "201 characters", String(repeating: "巷", count: 201)), ("addressDetail", "empty", ""),
            ("addressDetail", "a bell character", "三组\u{7}12号"),
            ("notes", "2,001 characters", String(repeating: "记", count: 2_001)),
            ("phone", "letters", "call-me"), ("phone", "30 digits", String(repeating: "1", count: 30)),
        ]
        for (field, name, text) in strings {
            cases.append(.rejected("sync: household.\(field) with \(name)", "invalid_value") { s in try s.set(field, .text(text)) })
        }
        cases.append(.rejected("sync: member.name empty", "invalid_value") { s in try s.set("name", .text(""), of: s.member) })
        // Dates far in the future and the past.
        let farFuture = CalendarDate(year: 2999, month: 12, day: 31)!, farPast = CalendarDate(year: 1899, month: 12, day: 31)!
        for (name, date) in [("in 2999", farFuture), ("in 1899", farPast)] {
            cases.append(.rejected("sync: household.lastReviewedOn \(name)", "invalid_value") { s in try s.set("lastReviewedOn", .date(date)) })
            cases.append(.rejected("sync: a visit dated \(name)", "invalid_value") { s in
                let (key, op) = s.visitCreate(["date": .date(date)])
                return try s.push(op, on: key, context: VersionVector())
            })
        }
        cases.append(.rejected("sync: a visit dated three days ahead", "invalid_value") { s in
            let (key, op) = s.visitCreate(["date": .date(s.today.adding(days: 3))])
            return try s.push(op, on: key, context: VersionVector())
        })
        cases.append(.rejected("sync: a household applied for in 2999", "invalid_value") { s in
            let (key, op) = s.householdCreate(["appliedOn": .date(farFuture)])
            return try s.push(op, on: key, context: VersionVector())
        })
        // Enumerations and kinds.
        let others: [(String, String, FieldValue, Bool)] = [
            ("category", "platinum", .text("platinum"), false), ("classification", "empty", .text(""), false),
            ("headName", "an integer", .int(7), false), ("phone", "a boolean", .bool(true), false),
            ("notes", "a record id", .id(RecordID(high: 1, low: 2)), false), ("monthlyIncomeFen", "null", .null, false),
            ("relation", "boss", .text("boss"), true), ("labourAbility", "superhuman", .text("superhuman"), true),
            ("disabilityGrade", "5", .int(5), true), ("disabilityGrade", "-1", .int(-1), true), ("seriousIllness", "1", .int(1), true),
        ]
        for (field, name, value, ofMember) in others {
            cases.append(.rejected("sync: \(ofMember ? "member" : "household").\(field) of \(name)", "invalid_value") { s in
                try s.set(field, value, of: ofMember ? s.member : nil)
            })
        }
        return cases
    }
}
