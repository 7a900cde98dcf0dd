import FieldModel
import Foundation
import Testing

/// Separation of duties and the notice gates, swept over the step table: the person who
/// investigated a household does not review it; the reviewer does not confirm; nobody confirms
/// a household they applied for or investigated; confirmation waits for a notice listing the
/// household that ran its period with every objection resolved.
@Suite("Workflow policy: separation of duties and the notice gates")
struct WorkflowPolicyTests {
    static let household = Fixture.rid(1)
    static let today = Fixture.today

    /// A worker of `role`, named after it.
    static func worker(_ role: Role, _ n: Int = 1) -> Worker {
        Worker(id: WorkerID(unchecked: "\(role.rawValue)-\(n)"), name: "某", role: role, assignment: Assignment())
    }

    /// A notice of the household that ran 7 days and ended yesterday, with every objection resolved.
    static func completedNotice(objections: Int64 = 0, resolved: Int64 = 0, days: Int = 7, endingDaysAgo: Int = 1) -> PublicNotice {
        let ends = today.adding(days: -endingDaysAgo)
        return PublicNotice(id: Fixture.rid(900), village: Fixture.village, households: [household], startsOn: ends.adding(days: -(days - 1)),
                            endsOn: ends, objectionCount: objections, objectionNotes: "", resolvedObjectionCount: resolved)
    }

    static func check(_ step: WorkflowStep, by worker: Worker, cycle: WorkflowCycle = WorkflowCycle(),
                      notices: [NoticeStanding] = [NoticeStanding(completedNotice())]) throws(RuleViolation) {
        try Workflow.check(from: step.from, to: step.to, by: worker, household: household, cycle: cycle, notices: notices, today: today)
    }

    @Test("a worker holding a duty a step excludes is refused it; holding any other duty, not", arguments: Workflow.steps)
    func separation(step: WorkflowStep) throws {
        let role = try #require(step.roles.sorted { $0.rawValue < $1.rawValue }.first)
        let me = Self.worker(role)
        for duty in Duty.allCases {
            var cycle = WorkflowCycle()
            cycle.record(duty, by: me.id)
            cycle.record(.investigator, by: WorkerID(unchecked: "someone-else"))
            if step.notBy.contains(duty) {
                let violation = #expect(throws: RuleViolation.self) { try Self.check(step, by: me, cycle: cycle) }
                #expect(violation?.code == .separationOfDuties)
                #expect(violation?.message.contains(duty.rawValue) == true)
                #expect(violation?.message.contains(me.id.rawValue) == true)
            } else {
                #expect(throws: Never.self) { try Self.check(step, by: me, cycle: cycle) }
            }
        }
    }

    @Test("the duties the policy names are excluded where it names them")
    func exclusionsFollowThePolicy() throws {
        func step(_ from: WorkflowStatus, _ to: WorkflowStatus) throws -> WorkflowStep { try #require(Workflow.step(from: from, to: to)) }
        // 入户调查的人不审核；审核的人不确认；申请、调查的人不确认.
        #expect(try step(.investigated, .townshipReviewed).notBy == [.investigator])
        #expect(try step(.publicNotice, .countyConfirmed).notBy == [.applicant, .investigator, .townshipReviewer])
        #expect(try step(.countyConfirmed, .covered).notBy == [.applicant, .investigator, .townshipReviewer])
        // Each duty is taken by exactly the step that names it.
        #expect(try step(.applied, .investigated).duty == .investigator)
        #expect(try step(.investigated, .townshipReviewed).duty == .townshipReviewer)
        #expect(try step(.covered, .underReview).duty == .periodicReviewer)
        #expect(Workflow.creationDuty == .applicant)
        // Only the two notice steps have gates.
        #expect(Workflow.steps.filter { !$0.gates.isEmpty }.map { "\($0.from)→\($0.to)" }.sorted()
                == ["publicNotice→countyConfirmed", "townshipReviewed→publicNotice"])
    }

    @Test("the step table is plain data: it round-trips through JSON for protocol/schema.json")
    func tableIsExportable() throws {
        let json = try JSONEncoder().encode(Workflow.steps)
        #expect(try JSONDecoder().decode([WorkflowStep].self, from: json) == Workflow.steps)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"notBy\"") && text.contains("\"noticeCompleted\"") && text.contains("\"countyConfirmer\""))
    }

    @Test("a step is refused first for its shape, then its role, then separation, then its gates")
    func orderOfRefusals() {
        var cycle = WorkflowCycle()
        cycle.record(.investigator, by: Self.worker(.countyConfirmer).id)
        func code(_ from: WorkflowStatus, _ to: WorkflowStatus, _ role: Role, notices: [NoticeStanding]) -> RuleViolation.Code? {
            do {
                try Workflow.check(from: from, to: to, by: Self.worker(role), household: Self.household, cycle: cycle, notices: notices, today: Self.today)
                return nil
            } catch { return error.code }
        }
        #expect(code(.applied, .countyConfirmed, .countyConfirmer, notices: []) == .invalidTransition)
        #expect(code(.publicNotice, .countyConfirmed, .townshipReviewer, notices: []) == .roleNotAllowed)
        #expect(code(.publicNotice, .countyConfirmed, .countyConfirmer, notices: []) == .separationOfDuties)
        cycle = WorkflowCycle()
        #expect(code(.publicNotice, .countyConfirmed, .countyConfirmer, notices: []) == .noticeNotReady)
        #expect(code(.publicNotice, .countyConfirmed, .countyConfirmer, notices: [NoticeStanding(Self.completedNotice())]) == nil)
    }

    /// Notices as the confirmation gate sees them, and whether it opens.
    static let confirmationCases: [(String, [NoticeStanding], Bool)] = [
        ("no notice", [], false),
        ("a notice of other households", [NoticeStanding(PublicNotice(id: Fixture.rid(901), village: Fixture.village, households: [Fixture.rid(2)],
                                                                        startsOn: today.adding(days: -20), endsOn: today.adding(days: -10),
                                                                        objectionCount: 0, objectionNotes: ""))], false),
        ("a notice ending today", [NoticeStanding(completedNotice(endingDaysAgo: 0))], false),
        ("a notice ending tomorrow", [NoticeStanding(completedNotice(endingDaysAgo: -1))], false),
        ("a notice of 6 days", [NoticeStanding(completedNotice(days: 6))], false),
        ("an objection unresolved", [NoticeStanding(completedNotice(objections: 2, resolved: 1))], false),
        ("objections with concurrent figures", [NoticeStanding(completedNotice(objections: 1, resolved: 1), objectionsSettled: false)], false),
        ("a notice ended yesterday after 7 days", [NoticeStanding(completedNotice())], true),
        ("two objections, both resolved", [NoticeStanding(completedNotice(objections: 2, resolved: 2))], true),
        ("an open notice beside a completed one", [NoticeStanding(completedNotice(endingDaysAgo: -3)), NoticeStanding(completedNotice())], true),
    ]

    @Test("county confirmation waits for a completed notice", arguments: confirmationCases.indices)
    func confirmationGate(_ i: Int) {
        let (name, notices, opens) = Self.confirmationCases[i]
        do {
            try NoticeGate.check(.noticeCompleted, household: Self.household, notices: notices, today: Self.today, settings: .standard)
            #expect(opens, "\(name): the gate opened")
        } catch {
            #expect(!opens, "\(name): \(error)")
            #expect(error.code == .noticeNotReady)
        }
    }

    @Test("the notice step waits for a notice listing the household that has started")
    func noticeStartGate() {
        func opens(_ notices: [PublicNotice]) -> Bool {
            (try? NoticeGate.check(.noticeStarted, household: Self.household, notices: notices.map { NoticeStanding($0) },
                                   today: Self.today, settings: .standard)) != nil
        }
        let future = PublicNotice(id: Fixture.rid(902), village: Fixture.village, households: [Self.household], startsOn: Self.today.adding(days: 1),
                                  endsOn: Self.today.adding(days: 8), objectionCount: 0, objectionNotes: "")
        var today = future
        today.startsOn = Self.today
        #expect(!opens([]))
        #expect(!opens([future]))
        #expect(opens([today]))
    }

    @Test("the minimum notice length is a setting")
    func minimumIsConfigurable() {
        let notice = NoticeStanding(Self.completedNotice(days: 5))
        let ten = PolicySettings(noticeMinimumDays: 10)
        #expect(throws: RuleViolation.self) {
            try NoticeGate.check(.noticeCompleted, household: Self.household, notices: [notice], today: Self.today, settings: .standard)
        }
        #expect(throws: Never.self) {
            try NoticeGate.check(.noticeCompleted, household: Self.household, notices: [notice], today: Self.today, settings: PolicySettings(noticeMinimumDays: 5))
        }
        #expect(throws: RuleViolation.self) {
            try NoticeGate.check(.noticeCompleted, household: Self.household, notices: [NoticeStanding(Self.completedNotice(days: 9))], today: Self.today, settings: ten)
        }
    }

    /// The whole path from application to coverage and out again, each step by the right role
    /// and, where the policy asks, by a different person; every wrong person is refused on the way.
    @Test("a household's path: each step by its role and a different person")
    func wholePath() throws {
        let applicant = Self.worker(.villageAssistant, 1), investigator = Self.worker(.villageAssistant, 2)
        let reviewer = Self.worker(.townshipReviewer, 1), confirmer = Self.worker(.countyConfirmer, 1)
        var cycle = WorkflowCycle()
        cycle.record(.applicant, by: applicant.id)
        var status = Workflow.initial
        let path: [(WorkflowStatus, Worker, refused: [Worker])] = [
            (.investigated, investigator, []),
            (.townshipReviewed, reviewer, [investigator]),
            (.publicNotice, reviewer, [investigator]),
            (.countyConfirmed, confirmer, [reviewer, investigator, applicant]),
            (.covered, confirmer, [reviewer]),
            (.underReview, applicant, [confirmer]),
            (.exited, confirmer, [applicant]),
        ]
        for (next, by, refused) in path {
            for other in refused {
                #expect(throws: RuleViolation.self, "\(other.id) \(status)→\(next)") {
                    try Workflow.check(from: status, to: next, by: other, household: Self.household, cycle: cycle,
                                       notices: [NoticeStanding(Self.completedNotice())], today: Self.today)
                }
            }
            let step = try Workflow.check(from: status, to: next, by: by, household: Self.household, cycle: cycle,
                                          notices: [NoticeStanding(Self.completedNotice())], today: Self.today)
            if let duty = step.duty { cycle.record(duty, by: by.id) }
            status = next
        }
        #expect(status == .exited)
    }
}

extension WorkflowStep: CustomTestStringConvertible {
    public var testDescription: String { "\(from.rawValue)→\(to.rawValue)" }
}
