import FieldModel
import Testing

/// One field of one collection, named as errors name it (`household.phone`).
struct FieldRef: Sendable, CustomTestStringConvertible {
    let collection: RecordCollection
    let spec: FieldSpec
    var path: String { "\(collection.name).\(spec.name)" }
    var testDescription: String { path }

    static let all: [FieldRef] = RecordCollection.allCases.flatMap { c in c.schema.fields.map { FieldRef(collection: c, spec: $0) } }

    static func named(_ path: String) -> FieldRef {
        guard let f = all.first(where: { $0.path == path }) else { preconditionFailure("no field \(path)") }
        return f
    }

    /// The error validating `value` as of the fixed today, nil when it is accepted.
    func error(_ value: FieldValue) -> ValidationError? {
        do {
            try spec.validate(value, in: collection, asOf: Fixture.today)
            return nil
        } catch {
            return error
        }
    }

    func problem(_ value: FieldValue) -> ValidationError.Problem? { error(value)?.problem }
}

/// Each failure is a value that names the field (`collection.field`) and the problem.
@Suite("Field validation")
struct ValidationTests {
    static let moneyFields = FieldRef.all.filter { if case .money = $0.spec.kind { true } else { false } }
    static let dateFields = FieldRef.all.filter { if case .date = $0.spec.kind { true } else { false } }
    static let enumerationFields = FieldRef.all.filter { if case .enumeration = $0.spec.kind { true } else { false } }

    @Test("money is whole fen from zero to the field's cap", arguments: moneyFields)
    func money(field: FieldRef) throws {
        guard case .money(let cap) = field.spec.kind else { throw Unexpected() }
        for ok in [0, 1, cap] as [Int64] { #expect(field.problem(.int(ok)) == nil) }
        for negative in [-1, -61_000, .min] as [Int64] {
            let error = try #require(field.error(.int(negative)))
            #expect(error.field == field.path)
            #expect(error.problem == .negative)
            // A sensitive field's message never repeats the value; any other's names it.
            #expect(error.message.contains(String(negative)) == !Schema.isSensitive(field.collection, field.spec.id))
        }
        for large in [cap + 1, .max] as [Int64] {
            let error = try #require(field.error(.int(large)))
            #expect(error.field == field.path && error.problem == .tooLarge)
        }
    }

    @Test("a monthly figure may reach 1,000万元 and assets 10亿元, not one fen more")
    func moneyCaps() {
        let monthly: Int64 = 10_000_000 * 100, assets: Int64 = 1_000_000_000 * 100
        for path in ["household.monthlyIncomeFen", "household.monthlyAmountFen", "household.monthlyStandardFen", "visit.monthlyIncomeFen"] {
            #expect(FieldRef.named(path).problem(.int(monthly)) == nil)
            #expect(FieldRef.named(path).problem(.int(monthly + 1)) == .tooLarge)
        }
        for path in ["household.assetsFen", "visit.assetsFen"] {
            #expect(FieldRef.named(path).problem(.int(assets)) == nil)
            #expect(FieldRef.named(path).problem(.int(assets + 1)) == .tooLarge)
        }
    }

    @Test("an enumeration takes exactly its raw values", arguments: enumerationFields)
    func enumerations(field: FieldRef) throws {
        guard case .enumeration(let allowed) = field.spec.kind else { throw Unexpected() }
        #expect(!allowed.isEmpty)
        for value in allowed {
            #expect(field.problem(.text(value)) == nil)
            for near in [value.uppercased(), " " + value, value + " ", value + "\u{0}", String(value.dropLast())] where !allowed.contains(near) {
                let error = try #require(field.error(.text(near)))
                #expect(error.field == field.path && error.problem == .unknownValue)
            }
        }
        for junk in ["", "在保", "null", "0", String(repeating: "a", count: 10_000)] {
            #expect(field.problem(.text(junk)) == .unknownValue)
        }
    }

    @Test("names: present, no digits, no control characters, at most 40 characters", arguments: [
        ("张三", nil), ("王一博", nil), ("万里", nil), ("李四", nil), ("欧阳娜娜", nil), ("买买提·艾力", nil),
        ("阿卜杜拉•艾买提", nil), ("Anne-Marie O'Neil", nil), (String(repeating: "龙", count: 40), nil),
        ("", .empty), ("   ", .empty), ("\u{3000}", .empty),
        ("张3", .invalidCharacter), ("张３", .invalidCharacter), ("张Ⅲ", .invalidCharacter), ("李②", .invalidCharacter),
        ("张三!", .invalidCharacter), ("<b>张三</b>", .invalidCharacter), ("张三@qq.com", .invalidCharacter),
        ("张\u{7}三", .controlCharacter), ("张三\n", .controlCharacter), ("张\t三", .controlCharacter),
        ("张\u{200B}三", .controlCharacter), ("张\u{202E}三", .controlCharacter), ("张\u{85}三", .controlCharacter),
        (String(repeating: "龙", count: 41), .tooLong),
    ] as [(String, ValidationError.Problem?)])
    func names(name: String, expected: ValidationError.Problem?) {
        for path in ["household.headName", "member.name", "discoveryLead.personName"] {
            let error = FieldRef.named(path).error(.text(name))
            #expect(error?.problem == expected)
            if let error { #expect(error.field == path) }
        }
    }

    @Test("free text: limited in characters, newlines and tabs allowed, other controls refused")
    func freeText() {
        let notes = FieldRef.named("household.notes")
        #expect(notes.problem(.text("")) == nil)
        #expect(notes.problem(.text("第一行\n第二行\t备注")) == nil)
        #expect(notes.problem(.text(String(repeating: "困", count: 2_000))) == nil, "2,000 characters, 6,000 bytes")
        #expect(notes.problem(.text(String(repeating: "👨‍👩‍👧", count: 2_000))) == nil, "emoji sequences count once")
        #expect(notes.problem(.text(String(repeating: "a", count: 2_001))) == .tooLong)
        for control in ["\u{0}", "\u{1B}[31m", "\u{7F}", "\u{9B}", "\u{202E}", "\u{2028}", "\u{2029}", "\u{FEFF}"] {
            let error = notes.error(.text("备注" + control))
            #expect(error?.problem == .controlCharacter, "\(control.unicodeScalars.first!.value)")
            #expect(error?.field == "household.notes")
        }
        #expect(FieldRef.named("household.addressDetail").problem(.text(String(repeating: "村", count: 201))) == .tooLong)
        #expect(FieldRef.named("publicNotice.objectionNotes").problem(.text(String(repeating: "议", count: 4_000))) == nil)
    }

    @Test("phones: 7 to 20 characters of digits, '+', '-' and spaces", arguments: [
        ("13812345678", nil), ("+86 138-1234-5678", nil), ("0359-2345678", nil), ("2345678", nil), ("12345678901234567890", nil),
        ("123456", .wrongLength), ("+86 - -", .wrongLength), ("", .wrongLength),
        ("123456789012345678901", .tooLong), ("138 1234 5678 ext 12", .invalidCharacter),
        ("138a2345678", .invalidCharacter), ("(0359)2345678", .invalidCharacter), ("１３８１２３４５６７８", .invalidCharacter),
        ("１３８１２３", .invalidCharacter), ("138\n12345678", .invalidCharacter),
    ] as [(String, ValidationError.Problem?)])
    func phones(phone: String, expected: ValidationError.Problem?) {
        let error = FieldRef.named("household.phone").error(.text(phone))
        #expect(error?.problem == expected)
        if let error { #expect(error.field == "household.phone") }
    }

    @Test("dates run from 1900 to the field's tolerance after today", arguments: dateFields)
    func dates(field: FieldRef) throws {
        guard case .date(let ahead) = field.spec.kind else { throw Unexpected() }
        #expect(field.problem(.date(Fixture.date(1900, 1, 1))) == nil)
        #expect(field.problem(.date(Fixture.today)) == nil)
        #expect(field.problem(.date(Fixture.today.adding(days: ahead))) == nil)
        let old = try #require(field.error(.date(Fixture.date(1899, 12, 31))))
        #expect(old.field == field.path && old.problem == .tooOld)
        let future = try #require(field.error(.date(Fixture.today.adding(days: ahead + 1))))
        #expect(future.field == field.path && future.problem == .inFuture)
        #expect(field.problem(.date(CalendarDate(daysSinceEpoch: .max))) == .inFuture)
        #expect(field.problem(.date(CalendarDate(daysSinceEpoch: .min))) == .tooOld)
    }

    @Test("visits and filings tolerate one day ahead; a notice may end up to a year ahead")
    func dateTolerances() {
        for path in ["visit.date", "household.appliedOn", "relativeFiling.filedOn", "discoveryLead.reportedOn", "publicNotice.startsOn"] {
            #expect(FieldRef.named(path).problem(.date(Fixture.date(2024, 6, 16))) == nil)
            #expect(FieldRef.named(path).problem(.date(Fixture.date(2024, 6, 17))) == .inFuture)
        }
        #expect(FieldRef.named("publicNotice.endsOn").problem(.date(Fixture.today.adding(days: 366))) == nil)
        #expect(FieldRef.named("publicNotice.endsOn").problem(.date(Fixture.today.adding(days: 367))) == .inFuture)
    }

    /// Fields that may be left empty: an applicant has no coverage start or review yet, a phone
    /// may be missing, and only a correcting visit names the one it corrects.
    static let optionalFields: Set<String> = ["household.phone", "household.coveredSince", "household.lastReviewedOn", "visit.corrects",
                                              "publicNotice.resolvedObjectionCount", "relativeFiling.staff", "relativeFiling.staffName",
                                              "relativeFiling.staffPosition", "relativeFiling.withdrawnOn",
                                              "attachment.householdID", "attachment.visitID", "attachment.memberID", "attachment.leadID"]

    @Test("null is refused for a required field and accepted for an optional one", arguments: FieldRef.all)
    func nullValues(field: FieldRef) {
        #expect(field.spec.optional == Self.optionalFields.contains(field.path))
        let error = field.error(.null)
        if Self.optionalFields.contains(field.path) {
            #expect(error == nil)
        } else {
            #expect(error?.field == field.path)
            #expect(error?.problem == .empty)
        }
    }

    @Test("small integers stay in their range")
    func integerRanges() {
        let grade = FieldRef.named("member.disabilityGrade")
        for g in 0...4 { #expect(grade.problem(.int(Int64(g))) == nil) }
        for g in [-1, 5, 100, Int64.min, Int64.max] as [Int64] { #expect(grade.problem(.int(g)) == .outOfRange) }
        #expect(FieldRef.named("publicNotice.objectionCount").problem(.int(100_001)) == .outOfRange)
    }

    @Test("a notice lists 1–500 distinct households")
    func recordLists() {
        let households = FieldRef.named("publicNotice.households")
        let ids = (1...501).map { Fixture.rid(UInt64($0)) }
        #expect(households.problem(.ids(Array(ids.prefix(500)))) == nil)
        #expect(households.problem(.ids([])) == .empty)
        #expect(households.problem(.ids(ids)) == .tooLarge)
        let twice = households.error(.ids([ids[0], ids[1], ids[0]]))
        #expect(twice?.problem == .inconsistent && twice?.field == "publicNotice.households")
    }

    @Test("worker ids and ID numbers report their own problem under the field's name")
    func nestedChecksNameTheField() {
        let worker = FieldRef.named("visit.worker")
        #expect(worker.problem(.text("xie.li-07_B")) == nil)
        for (text, problem) in [("", .empty), ("谢丽", .invalidCharacter), ("a b", .invalidCharacter),
                                (String(repeating: "w", count: 65), .tooLong)] as [(String, ValidationError.Problem)] {
            let error = worker.error(.text(text))
            #expect(error?.field == "visit.worker" && error?.problem == problem, "\(text)")
        }
        let idNumber = FieldRef.named("household.headIDNumber").error(.text("14082119650312002"))
        #expect(idNumber?.field == "household.headIDNumber" && idNumber?.problem == .wrongLength)
    }

    @Test("a create must hold every required field and no unknown one")
    func createCompleteness() throws {
        let household = try Fixture.household()
        #expect(throws: Never.self) { try Schema.household.validateCreate(household.fieldValues, asOf: Fixture.today) }

        var unknown = household.fieldValues
        unknown[FieldID(99)] = .text("x")
        let extra = #expect(throws: ValidationError.self) { try Schema.household.validateCreate(unknown, asOf: Fixture.today) }
        #expect(extra?.field == "household.#99" && extra?.problem == .unknownValue)

        for spec in Schema.household.fields where !spec.optional {
            var missing = household.fieldValues
            missing[spec.id] = nil
            let error = #expect(throws: ValidationError.self) { try Schema.household.validateCreate(missing, asOf: Fixture.today) }
            #expect(error?.field == "household.\(spec.name)" && error?.problem == .empty)
        }
    }

    @Test("an update names a known, changeable field and carries a valid value")
    func updates() throws {
        let phone = try #require(Schema.household.field(named: "phone"))
        #expect(throws: Never.self) { try Schema.household.validateUpdate(phone.id, .text("13912345678"), asOf: Fixture.today) }
        let bad = #expect(throws: ValidationError.self) { try Schema.household.validateUpdate(phone.id, .text("12"), asOf: Fixture.today) }
        #expect(bad?.field == "household.phone" && bad?.problem == .wrongLength)
        let unknown = #expect(throws: ValidationError.self) { try Schema.member.validateUpdate(FieldID(0), .null, asOf: Fixture.today) }
        #expect(unknown?.field == "member.#0" && unknown?.problem == .unknownValue)
        // A field set once at creation is never updated: a visit is corrected by a new visit.
        for field in FieldRef.all where field.spec.merge == .immutable {
            let error = #expect(throws: ValidationError.self) {
                try field.collection.schema.validateUpdate(field.spec.id, .null, asOf: Fixture.today)
            }
            #expect(error?.field == field.path && error?.problem == .inconsistent)
        }
    }
}

struct Unexpected: Error {}
