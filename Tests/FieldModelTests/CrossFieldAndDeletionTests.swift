import FieldModel
import Testing

/// The rules across a record's fields (the device, the server and the roster import share
/// them), who may delete what, and recusal over a household's membership.
@Suite("Rules across fields, deletes and membership")
struct CrossFieldAndDeletionTests {
    @Test("a disability grade goes with its kind", arguments: DisabilityKind.allCases, Array(0...4))
    func disability(kind: DisabilityKind, grade: Int) throws {
        let member = try Fixture.member(disability: kind, grade: grade)
        let valid = kind == .none ? grade == 0 : (1...4).contains(grade)
        do {
            try Schema.member.validateCreate(member.fieldValues, asOf: Fixture.today)
            #expect(valid)
        } catch {
            #expect(!valid, "\(kind) grade \(grade): \(error)")
            #expect(error.problem == .inconsistent && error.field == "member.disabilityGrade")
        }
        // A write of one of the two fields is held to the rule against the other's stored value.
        let stored = try Fixture.member(disability: .none, grade: 0).fieldValues
        let update = Result { () throws(ValidationError) in
            try Schema.member.validateUpdate(Schema.member.id("disabilityGrade"), .int(Int64(grade)), of: stored, asOf: Fixture.today)
        }
        #expect(((try? update.get()) != nil) == (grade == 0))
    }

    @Test("a covered household keeps the dates its review cadence needs", arguments: WorkflowStatus.allCases)
    func coveredNeedsADate(status: WorkflowStatus) throws {
        let undated = try Fixture.household(status: status, coveredSince: nil, lastReviewedOn: nil)
        let reviewedOnly = try Fixture.household(status: status, coveredSince: nil, lastReviewedOn: Fixture.date(2024, 1, 5))
        #expect(((try? Schema.household.validateCreate(undated.fieldValues, asOf: Fixture.today)) != nil) == !status.isCovered)
        #expect(throws: Never.self) { try Schema.household.validateCreate(reviewedOnly.fieldValues, asOf: Fixture.today) }
        // Clearing the coverage date of a covered household is refused; of an applicant, not.
        let dated = try Fixture.household(status: status).fieldValues
        let clearing = Result { () throws(ValidationError) in
            try Schema.household.validateUpdate(Schema.household.id("coveredSince"), .null, of: dated, asOf: Fixture.today)
        }
        #expect(((try? clearing.get()) != nil) == !status.isCovered)
        // A phone write is not refused for a rule it does not touch.
        #expect(throws: Never.self) {
            try Schema.household.validateUpdate(Schema.household.id("phone"), .text("13912345678"), of: undated.fieldValues, asOf: Fixture.today)
        }
    }

    static func notice(starts: Int, ends: Int, objections: Int64 = 0, resolved: Int64 = 0) -> FieldValues {
        PublicNotice(id: Fixture.rid(5), village: Fixture.village, households: [Fixture.rid(1)], startsOn: Fixture.today.adding(days: starts),
                     endsOn: Fixture.today.adding(days: ends), objectionCount: objections, objectionNotes: "", resolvedObjectionCount: resolved).fieldValues
    }

    @Test("a notice runs forward, at least the minimum, and resolves no more objections than were raised")
    func notices() {
        func valid(_ values: FieldValues, _ settings: PolicySettings = .standard) -> Bool {
            (try? Schema.publicNotice.validateCreate(values, asOf: Fixture.today, settings: settings)) != nil
        }
        #expect(valid(Self.notice(starts: 0, ends: 6)))
        #expect(!valid(Self.notice(starts: 0, ends: 5)), "six days")
        #expect(!valid(Self.notice(starts: 0, ends: -3)), "ends before it starts")
        #expect(valid(Self.notice(starts: 0, ends: 5), PolicySettings(noticeMinimumDays: 6)))
        #expect(valid(Self.notice(starts: -10, ends: -4, objections: 3, resolved: 3)))
        #expect(!valid(Self.notice(starts: -10, ends: -4, objections: 1, resolved: 2)))
        let resolving = Result { () throws(ValidationError) in
            try Schema.publicNotice.validateUpdate(Schema.publicNotice.id("resolvedObjectionCount"), .int(4),
                                                   of: Self.notice(starts: -10, ends: -4, objections: 3), asOf: Fixture.today)
        }
        #expect((try? resolving.get()) == nil)
    }

    @Test("a filing names the person: a worker or a name")
    func filingNamesSomeone() {
        func filing(staff: WorkerID?, name: String?) -> FieldValues {
            RelativeFiling(id: Fixture.rid(7), village: Fixture.village, staff: staff, household: Fixture.rid(1), relation: .child,
                           filedOn: Fixture.today, staffName: name, staffPosition: name == nil ? nil : "村委会委员").fieldValues
        }
        #expect(throws: Never.self) { try Schema.relativeFiling.validateCreate(filing(staff: WorkerID(unchecked: "va-1"), name: nil), asOf: Fixture.today) }
        #expect(throws: Never.self) { try Schema.relativeFiling.validateCreate(filing(staff: nil, name: "王村委"), asOf: Fixture.today) }
        #expect(throws: ValidationError.self) { try Schema.relativeFiling.validateCreate(filing(staff: nil, name: nil), asOf: Fixture.today) }
    }

    @Test("a worker files only their own relatives; a withdrawn filing binds nothing")
    func filingsByWorkers() throws {
        let me = Worker(id: WorkerID(unchecked: "va-1"), name: "李", role: .villageAssistant, assignment: Assignment(villages: [Fixture.village]))
        let mine = RelativeFiling(id: Fixture.rid(7), village: Fixture.village, staff: me.id, household: Fixture.rid(1), relation: .child, filedOn: Fixture.today)
        var another = mine
        another.staff = WorkerID(unchecked: "tr-1")
        #expect(throws: Never.self) { try Schema.relativeFiling.checkCreate(mine.fieldValues, by: me) }
        let refused = #expect(throws: RuleViolation.self) { try Schema.relativeFiling.checkCreate(another.fieldValues, by: me) }
        #expect(refused?.code == .roleNotAllowed)
        var withdrawn = mine
        withdrawn.withdrawnOn = Fixture.today
        #expect(throws: RuleViolation.self) { try Schema.relativeFiling.checkCreate(withdrawn.fieldValues, by: me) }
        #expect(Recusal.filing(binding: me.id, to: mine.household, in: [withdrawn]) == nil)
        #expect(Recusal.filing(binding: me.id, to: mine.household, in: [mine]) != nil)
        #expect(throws: RuleViolation.self) { try Recusal.checkMembership("add a member", by: me.id, at: mine.household, filings: [mine]) }
        #expect(throws: Never.self) { try Recusal.checkMembership("add a member", by: me.id, at: mine.household, filings: [withdrawn]) }
    }

    @Test("only the creator deletes, and only an untouched application", arguments: [RecordCollection.household, .member, .visit])
    func deletes(collection: RecordCollection) {
        let me = WorkerID(unchecked: "va-1"), other = WorkerID(unchecked: "va-2")
        let standings: [(Deletion.HouseholdStanding, Bool)] = [
            (.init(status: .applied, statusIsCreation: true), true),
            (.init(status: .applied, statusIsCreation: false), false),   // declined and applied again
            (.init(status: .investigated, statusIsCreation: false), false),
            (.init(status: .covered, statusIsCreation: true), false),    // imported covered
            (.init(status: nil, statusIsCreation: false), false),        // concurrent statuses
        ]
        for (standing, untouched) in standings {
            for (creator, mine) in [(me, true), (other, false), (nil, false)] as [(WorkerID?, Bool)] {
                let allowed = collection.schema.deletable && untouched && mine
                do {
                    try Deletion.check(collection, Fixture.rid(3), createdBy: creator, by: me, household: standing)
                    #expect(allowed)
                } catch {
                    #expect(!allowed, "\(collection) \(standing) creator \(creator?.rawValue ?? "-"): \(error)")
                    #expect(error.code == .notDeletable)
                }
            }
        }
    }
}
