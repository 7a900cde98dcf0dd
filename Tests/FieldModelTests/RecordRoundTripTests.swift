import FieldModel
import Foundation
import Testing
import SyntheticData

/// Every record type becomes field values and comes back equal; what it sends is a valid create.
@Suite("Record round trips")
struct RecordRoundTripTests {
    /// Seeded generators of valid domain values.
    struct Generator {
        var rng: SeededGenerator
        var counter: UInt64 = 0
        init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

        mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        mutating func maybe<T>(_ x: T) -> T? { Bool.random(using: &rng) ? x : nil }
        mutating func fen(_ max: Int64) -> Int64 { pick([0, 1, max, Int64.random(in: 0...max, using: &rng)]) }
        mutating func id() -> RecordID {
            counter += 1
            return RecordID(milliseconds: 1_718_000_000_000 + Int64(counter), using: &rng)
        }
        mutating func date() -> CalendarDate {
            let n = Int.random(in: 0...(Fixture.date(1900, 1, 1).days(until: Fixture.today) + 1), using: &rng)
            return Fixture.date(1900, 1, 1).adding(days: n)
        }
        mutating func village() -> VillageCode {
            let county = pick(Yuncheng.counties).code
            return county.township(Int.random(in: 1...999, using: &rng)).village(Int.random(in: 1...999, using: &rng))
        }
        mutating func name() -> String { pick(["张三", "李四", "王一博", "万里", "欧阳娜娜", "买买提·艾力", "Anne-Marie"]) }
        mutating func text() -> String { pick(["", "低保户", "第一行\n第二行", "门口有狗\t注意", String(repeating: "困", count: 200)]) }
        /// A household's address: required, so never empty.
        mutating func address() -> String { pick(["三组12号", "第一行\n第二行", String(repeating: "困", count: 200)]) }
        mutating func worker() throws -> WorkerID { try WorkerID(validating: pick(["xie.li-07", "wang_k", "A1", "zhao.9"])) }
        mutating func idNumber() throws -> IDCardNumber {
            let year = Int.random(in: 1920...2020, using: &rng), month = Int.random(in: 1...12, using: &rng)
            let day = Int.random(in: 1...Reference.daysIn(month: month, year: year), using: &rng)
            return try Fixture.idNumber(region: Int(pick(Yuncheng.counties).code.rawValue), year: year, month: month,
                                        day: day, sequence: Int.random(in: 0...999, using: &rng))
        }

        mutating func household() throws -> Household {
            let status = pick(WorkflowStatus.allCases)
            // A covered household has a coverage or review date (the rule across its fields).
            let coveredSince = maybe(date())
            let lastReviewedOn = status.isCovered && coveredSince == nil ? date() : maybe(date())
            return Household(id: id(), village: village(), headName: name(), headIDNumber: try idNumber(), addressDetail: address(),
                             phone: maybe(pick(["13812345678", "+86 138-1234-5678", "0359-2345678"])),
                             category: pick(HouseholdCategory.allCases), classification: pick(EconomicClassification.allCases),
                             status: status, monthlyStandardFen: fen(1_000_000_000),
                             monthlyAmountFen: fen(1_000_000_000), monthlyIncomeFen: fen(1_000_000_000),
                             assetsFen: fen(100_000_000_000), appliedOn: date(), coveredSince: coveredSince,
                             lastReviewedOn: lastReviewedOn, notes: text())
        }

        mutating func member() throws -> Member {
            let kind = pick(DisabilityKind.allCases)
            return Member(id: id(), householdID: id(), village: village(), name: name(), idNumber: try idNumber(),
                          relation: pick(Relation.allCases), disabilityKind: kind,
                          disabilityGrade: kind == .none ? 0 : Int.random(in: 1...4, using: &rng), seriousIllness: Bool.random(using: &rng),
                          labourAbility: pick(LabourAbility.allCases), status: pick(MemberStatus.allCases))
        }

        mutating func visit() throws -> Visit {
            Visit(id: id(), householdID: id(), village: village(), kind: pick(VisitKind.allCases), worker: try worker(),
                  date: date(), monthlyIncomeFen: fen(1_000_000_000), assetsFen: fen(100_000_000_000),
                  livingCondition: pick(LivingCondition.allCases), recommendation: pick(Recommendation.allCases),
                  notes: text(), corrects: maybe(id()))
        }

        mutating func lead() throws -> DiscoveryLead {
            DiscoveryLead(id: id(), village: village(), recordedBy: try worker(), foundBy: pick(["网格员", "邻居", "12345热线"]),
                          personName: name(), addressDetail: text(), difficulty: pick(Difficulty.allCases),
                          description: text(), reportedOn: date(), followUpStatus: pick(FollowUpStatus.allCases))
        }

        mutating func filing() throws -> RelativeFiling {
            let staff = try maybe(worker())
            return RelativeFiling(id: id(), village: village(), staff: staff, household: id(),
                                  relation: pick(CloseRelation.allCases), filedOn: date(), staffName: staff == nil ? name() : maybe(name()),
                                  staffPosition: maybe(pick(["村委会委员", "乡镇民政助理员"])), withdrawnOn: maybe(date()))
        }

        mutating func notice() -> PublicNotice {
            let start = date()
            let objections = Int64.random(in: 0...100_000, using: &rng)
            return PublicNotice(id: id(), village: village(), households: (0..<Int.random(in: 1...500, using: &rng)).map { _ in id() },
                                startsOn: start, endsOn: start.adding(days: PublicNotice.minimumDays),
                                objectionCount: objections, objectionNotes: text(),
                                resolvedObjectionCount: Int64.random(in: 0...objections, using: &rng))
        }
    }

    /// The three promises of `FieldRecord` for one value.
    static func check<R: FieldRecord>(_ record: R) throws {
        let fields = record.fieldValues
        let schema = R.collection.schema
        #expect(Set(fields.keys) == Set(schema.fields.map(\.id)), "every field, optional ones as null")
        let back = try R(id: record.id, village: record.village, fields: fields)
        #expect(back == record)
        #expect(throws: Never.self) { try schema.validateCreate(fields, asOf: Fixture.today) }
    }

    @Test("households", arguments: 0..<4)
    func households(seed: UInt64) throws {
        var g = Generator(seed: seed)
        for _ in 0..<150 { try Self.check(try g.household()) }
    }

    @Test("members", arguments: 0..<4)
    func members(seed: UInt64) throws {
        var g = Generator(seed: seed)
        for _ in 0..<150 { try Self.check(try g.member()) }
    }

    @Test("visits, leads, filings and notices", arguments: 0..<4)
    func appendOnlyRecords(seed: UInt64) throws {
        var g = Generator(seed: seed)
        for _ in 0..<100 {
            try Self.check(try g.visit())
            try Self.check(try g.lead())
            try Self.check(try g.filing())
        }
        for _ in 0..<10 { try Self.check(g.notice()) }
    }

    @Test("a missing or mistyped field fails with that field's name", arguments: Schema.household.fields.map(\.name))
    func householdDecodingErrors(name: String) throws {
        let household = try Fixture.household(lastReviewedOn: Fixture.date(2023, 1, 5))
        let spec = try #require(Schema.household.field(named: name))
        var wrong = household.fieldValues
        wrong[spec.id] = .bool(true)
        let mistyped = #expect(throws: ValidationError.self) {
            try Household(id: household.id, village: household.village, fields: wrong)
        }
        #expect(mistyped?.field == "household.\(name)")
        var missing = household.fieldValues
        missing[spec.id] = nil
        if spec.optional {
            let back = try Household(id: household.id, village: household.village, fields: missing)
            #expect(back.fieldValues[spec.id] == .null)
        } else {
            let error = #expect(throws: ValidationError.self) {
                try Household(id: household.id, village: household.village, fields: missing)
            }
            #expect(error?.field == "household.\(name)")
        }
    }

    @Test("an enumeration value the device does not know fails with the field's name")
    func unknownEnumerationValue() throws {
        let member = try Fixture.member()
        var fields = member.fieldValues
        fields[Schema.member.id("labourAbility")] = .text("retired")
        let error = #expect(throws: ValidationError.self) { try Member(id: member.id, village: member.village, fields: fields) }
        #expect(error?.field == "member.labourAbility" && error?.problem == .unknownValue)
    }

    // MARK: Record ids

    @Test("record ids are UUID version 7 and read back from text and bytes")
    func recordIDs() throws {
        var rng = SeededGenerator(seed: 42)
        var previous: RecordID?
        for i in 0..<2_000 {
            let ms = 1_718_000_000_000 + Int64(i) * 37
            let id = RecordID(milliseconds: ms, using: &rng)
            #expect(id.milliseconds == ms)
            #expect((id.high >> 12) & 0xF == 7, "version 7")
            #expect(id.low >> 62 == 0b10, "RFC 9562 variant")
            let text = id.description
            #expect(text.count == 36 && Array(text)[14] == "7")
            #expect(RecordID(uuidString: text) == id)
            #expect(RecordID(uuidString: text.uppercased()) == id)
            #expect(RecordID(bytes: id.bytes) == id)
            // A slice of a larger buffer at an odd offset (as a page's id column is read), and a
            // collection with no contiguous storage, give the same id.
            let column = Data([UInt8(i & 0xFF)] + id.bytes + [0xFF])
            #expect(RecordID(bytes: column[column.startIndex + 1..<column.startIndex + 17]) == id)
            #expect(RecordID(bytes: id.bytes.lazy.map { $0 }) == id)
            if let previous { #expect(previous < id, "ids sort by creation time") }
            previous = id
        }
    }

    @Test("only the canonical 8-4-4-4-12 form parses", arguments: [
        "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6", "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6bc", "0190f3a27c4e7d218b3a1c2d3e4f5a6b",
        "0190f3a2-7c4e-7d21-8b3a1c2d3e4f5a6b-", "0190f3a27-c4e-7d21-8b3a-1c2d3e4f5a6b", "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6g",
        "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6b\n", "{0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6}", "", "------------------------------------",
    ])
    func nonCanonicalIDs(text: String) {
        #expect(RecordID(uuidString: text) == nil)
        #expect(RecordID(uuidString: "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6b") != nil)
    }

    @Test("ids from bytes need exactly sixteen")
    func idBytes() {
        #expect(RecordID(bytes: [UInt8](repeating: 1, count: 15)) == nil)
        #expect(RecordID(bytes: [UInt8](repeating: 1, count: 17)) == nil)
        #expect(RecordID(bytes: Array(0..<16)) == RecordID(high: 0x0001_0203_0405_0607, low: 0x0809_0A0B_0C0D_0E0F))
    }
}
