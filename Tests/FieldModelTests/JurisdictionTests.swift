import FieldModel
import Testing

/// A worker sees the households of their assigned villages and nothing else (DESIGN §2): village
/// assistants their villages, township reviewers their townships, county confirmers their
/// counties, city supervisors the city without writing, administrators no household data.
@Suite("Jurisdiction and village codes")
struct JurisdictionTests {
    // 临猗县 140821, its townships 101 and 102; 万荣县 140822; 太原市小店区 140105.
    static let linyi = CountyCode(uncheckedRawValue: 140821)
    static let wanrong = CountyCode(uncheckedRawValue: 140822)
    static func village(_ county: Int, _ township: Int, _ village: Int) -> VillageCode {
        VillageCode(uncheckedRawValue: UInt64(county) * 1_000_000 + UInt64(township) * 1_000 + UInt64(village))
    }

    static let ownVillage = village(140821, 101, 1)
    static let secondVillage = village(140821, 101, 2)
    static let sameTownship = village(140821, 101, 17)
    static let sameCounty = village(140821, 102, 1)
    static let sameCity = village(140822, 101, 1)
    static let otherCity = village(140105, 1, 1)
    static let all = [ownVillage, secondVillage, sameTownship, sameCounty, sameCity, otherCity]

    /// Each role with its usual assignment, and the villages it sees and writes.
    struct Case: Sendable, CustomTestStringConvertible {
        let role: Role
        let assignment: Assignment
        let sees: Set<VillageCode>
        let writes: Set<VillageCode>
        var testDescription: String { role.rawValue }
    }

    static let cases: [Case] = [
        Case(role: .villageAssistant, assignment: Assignment(villages: [ownVillage, secondVillage]),
             sees: [ownVillage, secondVillage], writes: [ownVillage, secondVillage]),
        Case(role: .townshipReviewer, assignment: Assignment(townships: [ownVillage.township]),
             sees: [ownVillage, secondVillage, sameTownship], writes: [ownVillage, secondVillage, sameTownship]),
        Case(role: .countyConfirmer, assignment: Assignment(counties: [linyi]),
             sees: [ownVillage, secondVillage, sameTownship, sameCounty],
             writes: [ownVillage, secondVillage, sameTownship, sameCounty]),
        Case(role: .citySupervisor, assignment: Assignment(cities: [Yuncheng.city]),
             sees: [ownVillage, secondVillage, sameTownship, sameCounty, sameCity], writes: []),
        Case(role: .administrator, assignment: Assignment(cities: [Yuncheng.city]), sees: [], writes: []),
    ]

    @Test("each role sees and writes its jurisdiction and nothing else", arguments: cases)
    func roleScope(_ c: Case) {
        let jurisdiction = Jurisdiction(role: c.role, assignment: c.assignment)
        for village in Self.all {
            #expect(jurisdiction.canSee(village) == c.sees.contains(village), "\(village)")
            #expect(jurisdiction.canWrite(village) == c.writes.contains(village), "\(village)")
            do {
                try jurisdiction.checkWrite(village)
                #expect(c.writes.contains(village))
            } catch {
                #expect(!c.writes.contains(village))
                #expect(error.code == .outOfScope)
                #expect(error.message.contains(village.description))
                #expect(error.message.contains(c.role.rawValue))
            }
        }
    }

    @Test("a township reviewer covers all thousand village numbers of the township, and none beside it")
    func townshipCoversEveryVillage() {
        let reviewer = Jurisdiction(role: .townshipReviewer, assignment: Assignment(townships: [Self.linyi.township(101)]))
        for n in 1...999 {
            #expect(reviewer.canWrite(Self.village(140821, 101, n)))
            #expect(!reviewer.canSee(Self.village(140821, 102, n)))
            #expect(!reviewer.canSee(Self.village(140822, 101, n)))
        }
    }

    @Test("an empty assignment sees nothing, whatever the role", arguments: Role.allCases)
    func emptyAssignment(role: Role) {
        let jurisdiction = Jurisdiction(role: role, assignment: Assignment())
        #expect(Assignment().isEmpty)
        for village in Self.all {
            #expect(!jurisdiction.canSee(village) && !jurisdiction.canWrite(village))
        }
    }

    @Test("a worker's jurisdiction comes from their role and assignment")
    func fromWorker() throws {
        let worker = Worker(id: try Fixture.worker("xie.li-07"), name: "谢丽", role: .villageAssistant,
                            assignment: Assignment(villages: [Self.ownVillage]))
        let jurisdiction = Jurisdiction(worker)
        #expect(jurisdiction == Jurisdiction(role: .villageAssistant, assignment: Assignment(villages: [Self.ownVillage])))
        #expect(jurisdiction.canWrite(Self.ownVillage) && !jurisdiction.canWrite(Self.secondVillage))
        let refusal = #expect(throws: RuleViolation.self) { try jurisdiction.checkWrite(Self.secondVillage) }
        #expect(refusal?.message.contains("villages 140821101001") == true)
    }

    @Test("an assignment summary lists each part in order")
    func summary() {
        #expect(Assignment().summary == "nothing")
        let a = Assignment(villages: [Self.secondVillage, Self.ownVillage], townships: [Self.linyi.township(102)],
                           counties: [Self.wanrong], cities: [Yuncheng.city])
        #expect(a.summary == "villages 140821101001 140821101002, townships 140821102, counties 140822, cities 1408")
    }

    // MARK: Village codes

    @Test("a village code splits into township, county and city")
    func parts() throws {
        let village = try VillageCode(validating: 140_821_101_017)
        #expect(village.township == TownshipCode(rawValue: 140_821_101))
        #expect(village.county == Self.linyi)
        #expect(village.city == Yuncheng.city)
        #expect(village.township.county == Self.linyi)
        #expect(village.township.contains(village) && !village.township.contains(Self.sameCounty))
        #expect(Self.linyi.township(101).village(17) == village)
        #expect(try VillageCode(validating: "140821101017") == village)
    }

    @Test("every Yuncheng county has valid village codes", arguments: Yuncheng.counties.map(\.code))
    func yunchengVillages(county: CountyCode) throws {
        #expect(county.isStructurallyValid)
        #expect(county.city == Yuncheng.city)
        for (t, v) in [(1, 1), (101, 1), (999, 999), (200, 45)] {
            let raw = UInt64(county.rawValue) * 1_000_000 + UInt64(t) * 1_000 + UInt64(v)
            let village = try VillageCode(validating: raw)
            #expect(village.county == county)
            #expect(try VillageCode(validating: String(raw)) == village)
        }
    }

    @Test("invalid village numbers are refused with the problem named", arguments: [
        (14_082_110_100, .wrongLength),          // eleven digits
        (1_408_211_010_011, .wrongLength),       // thirteen
        (0, .wrongLength),
        (140_821_000_001, .unknownRegion),       // township part zero
        (140_821_101_000, .unknownRegion),       // village part zero
        (140_800_101_001, .unknownRegion),       // a city's code, not a county's
        (140_001_101_001, .unknownRegion),       // city part zero
        (990_821_101_001, .unknownRegion),       // no province 99
        (100_821_101_001, .unknownRegion),       // no province 10
    ] as [(UInt64, ValidationError.Problem)])
    func invalidNumbers(raw: UInt64, expected: ValidationError.Problem) {
        let error = #expect(throws: ValidationError.self) { try VillageCode(validating: raw) }
        #expect(error?.problem == expected)
        #expect(error?.field == "scope")
    }

    @Test("invalid village text is refused with the problem named", arguments: [
        ("14082110100", .wrongLength), ("1408211010011", .wrongLength), ("", .wrongLength),
        ("14082110100a", .invalidCharacter), ("140821 01001", .invalidCharacter), ("+40821101001", .invalidCharacter),
        ("１４０８２１１０１００１", .invalidCharacter), ("140821101000", .unknownRegion), ("990821101001", .unknownRegion),
    ] as [(String, ValidationError.Problem)])
    func invalidText(text: String, expected: ValidationError.Problem) {
        let error = #expect(throws: ValidationError.self) { try VillageCode(validating: text) }
        #expect(error?.problem == expected)
    }

    @Test("the pilot city's thirteen county-level divisions")
    func yunchengCounties() {
        let counties = Yuncheng.counties
        #expect(counties.count == 13)
        #expect(Set(counties.map(\.code)).count == 13)
        #expect(Set(counties.map(\.name)).count == 13)
        #expect(Yuncheng.county(Self.linyi)?.name == "临猗县")
        #expect(Yuncheng.county(CountyCode(uncheckedRawValue: 140802))?.name == "盐湖区")
        #expect(Yuncheng.county(CountyCode(uncheckedRawValue: 140881))?.name == "永济市")
        #expect(Yuncheng.county(CountyCode(uncheckedRawValue: 140105)) == nil)
        #expect(Yuncheng.city.rawValue == 1408)
    }
}
