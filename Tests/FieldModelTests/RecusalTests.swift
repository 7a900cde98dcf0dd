import FieldModel
import Testing

/// 近亲属备案 / 回避: 社会救助经办人员在入户调查、审核确认等环节，涉及亲属的，应主动申请回避。
/// A filed relative's household may not be investigated or reviewed by the filing worker, nor
/// may that worker change its eligibility; other workers, and other kinds of visit, are unaffected.
@Suite("Recusal")
struct RecusalTests {
    static let relativeHousehold = Fixture.rid(1)
    static let strangerHousehold = Fixture.rid(2)
    /// Household of a relative the worker has not filed (yet): the device cannot know of it.
    static let unfiledRelativeHousehold = Fixture.rid(3)

    static func filings() throws -> [RelativeFiling] {
        [
            RelativeFiling(id: Fixture.rid(900), village: Fixture.village, staff: try Fixture.worker("xie.li-07"),
                           household: relativeHousehold, relation: .sibling, filedOn: Fixture.date(2024, 2, 1)),
            RelativeFiling(id: Fixture.rid(901), village: Fixture.village, staff: try Fixture.worker("wang_k"),
                           household: strangerHousehold, relation: .parent, filedOn: Fixture.date(2023, 9, 9)),
        ]
    }

    /// The policy's reading: investigations and reviews assess eligibility; screening and
    /// following up a discovery lead do not.
    static let eligibilityVisits: Set<VisitKind> = [.applicationInvestigation, .annualReview, .semiannualReview]

    @Test("the filing worker may not record an eligibility visit at a relative's household", arguments: VisitKind.allCases)
    func filingWorkerVisits(kind: VisitKind) throws {
        let filings = try Self.filings()
        let worker = try Fixture.worker("xie.li-07")
        #expect(kind.assessesEligibility == Self.eligibilityVisits.contains(kind))
        if Self.eligibilityVisits.contains(kind) {
            let violation = #expect(throws: RuleViolation.self) {
                try Recusal.checkVisit(kind, by: worker, at: Self.relativeHousehold, filings: filings)
            }
            #expect(violation?.code == .recusal)
            #expect(violation?.message.contains("xie.li-07") == true)
            #expect(violation?.message.contains("sibling") == true)
            #expect(violation?.message.contains(kind.rawValue) == true)
        } else {
            #expect(throws: Never.self) {
                try Recusal.checkVisit(kind, by: worker, at: Self.relativeHousehold, filings: filings)
            }
        }
    }

    @Test("another worker may record any visit at that household", arguments: VisitKind.allCases)
    func otherWorkerVisits(kind: VisitKind) throws {
        let filings = try Self.filings()
        // wang_k filed a different household; zhao files nothing.
        for other in ["wang_k", "zhao"] {
            #expect(throws: Never.self) {
                try Recusal.checkVisit(kind, by: try Fixture.worker(other), at: Self.relativeHousehold, filings: filings)
            }
        }
    }

    @Test("the filing worker may visit households they have not filed", arguments: VisitKind.allCases)
    func filingWorkerElsewhere(kind: VisitKind) throws {
        let filings = try Self.filings()
        let worker = try Fixture.worker("xie.li-07")
        for household in [Self.strangerHousehold, Self.unfiledRelativeHousehold] {
            #expect(throws: Never.self) {
                try Recusal.checkVisit(kind, by: worker, at: household, filings: filings)
            }
        }
    }

    @Test("a filing binds exactly its worker and household")
    func filingLookup() throws {
        let filings = try Self.filings()
        let found = Recusal.filing(binding: try Fixture.worker("xie.li-07"), to: Self.relativeHousehold, in: filings)
        #expect(found == filings[0])
        #expect(Recusal.filing(binding: try Fixture.worker("xie.li-07"), to: Self.strangerHousehold, in: filings) == nil)
        #expect(Recusal.filing(binding: try Fixture.worker("wang_k"), to: Self.relativeHousehold, in: filings) == nil)
        #expect(Recusal.filing(binding: try Fixture.worker("xie.li-07"), to: Self.relativeHousehold, in: []) == nil)
        // Worker ids are exact: case matters.
        #expect(Recusal.filing(binding: try Fixture.worker("Xie.li-07"), to: Self.relativeHousehold, in: filings) == nil)
    }

    @Test("with no filings every visit is allowed (the server re-checks with current filings)")
    func staleDeviceWithoutFilings() throws {
        for kind in VisitKind.allCases {
            #expect(throws: Never.self) {
                try Recusal.checkVisit(kind, by: try Fixture.worker("xie.li-07"), at: Self.relativeHousehold, filings: [])
            }
        }
    }

    // MARK: Field writes

    /// Eligibility: what decides whether and how much a household receives (DESIGN §4's `review`
    /// fields and the workflow status). Contact and descriptive fields are not eligibility.
    static let eligibilityFields: [RecordCollection: Set<String>] = [
        .household: ["headIDNumber", "category", "classification", "status", "monthlyStandardFen", "monthlyAmountFen",
                     "monthlyIncomeFen", "assetsFen", "coveredSince", "lastReviewedOn"],
        .member: ["idNumber", "disabilityKind", "disabilityGrade", "seriousIllness", "labourAbility", "status"],
    ]
    static let contactFields: [RecordCollection: Set<String>] = [
        .household: ["headName", "addressDetail", "phone", "notes"],
        .member: ["name", "relation"],
    ]

    static let householdAndMemberFields: [(RecordCollection, String)] = [RecordCollection.household, .member]
        .flatMap { c in c.schema.fields.map { (c, $0.name) } }

    @Test("the filing worker may not change eligibility fields, and may change contact fields", arguments: householdAndMemberFields)
    func filingWorkerFieldWrites(collection: RecordCollection, name: String) throws {
        let spec = try #require(collection.schema.field(named: name))
        let filings = try Self.filings()
        let worker = try Fixture.worker("xie.li-07")
        let eligibility = Self.eligibilityFields[collection]!.contains(name)
        let contact = Self.contactFields[collection]!.contains(name)
        #expect(eligibility || contact || spec.merge == .immutable, "\(collection).\(name) is not classified by the test")
        if eligibility {
            let violation = #expect(throws: RuleViolation.self) {
                try Recusal.checkFieldWrite(spec, by: worker, at: Self.relativeHousehold, filings: filings)
            }
            #expect(violation?.code == .recusal)
            #expect(violation?.message.contains(name) == true)
        } else {
            #expect(spec.merge == .lww || spec.merge == .immutable)
            #expect(throws: Never.self) {
                try Recusal.checkFieldWrite(spec, by: worker, at: Self.relativeHousehold, filings: filings)
            }
        }
        // Another worker, or the same worker at an unfiled household, may write any field.
        #expect(throws: Never.self) {
            try Recusal.checkFieldWrite(spec, by: try Fixture.worker("zhao"), at: Self.relativeHousehold, filings: filings)
        }
        #expect(throws: Never.self) {
            try Recusal.checkFieldWrite(spec, by: worker, at: Self.unfiledRelativeHousehold, filings: filings)
        }
    }

    @Test("every close relation the filing rule names binds the worker", arguments: CloseRelation.allCases)
    func everyRelationBinds(relation: CloseRelation) throws {
        let worker = try Fixture.worker("li-3")
        let filing = RelativeFiling(id: Fixture.rid(950), village: Fixture.village, staff: worker,
                                    household: Self.relativeHousehold, relation: relation, filedOn: Fixture.date(2024, 1, 2))
        let violation = #expect(throws: RuleViolation.self) {
            try Recusal.checkVisit(.annualReview, by: worker, at: Self.relativeHousehold, filings: [filing])
        }
        #expect(violation?.message.contains(relation.rawValue) == true)
    }
}
