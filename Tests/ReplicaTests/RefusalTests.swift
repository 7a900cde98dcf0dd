import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

/// What the device holds from the server before each refusal: households in several workflow
/// steps, a member, and a filing that binds the village assistant to one household.
enum RefusalWorld {
    static let applied = Fixture.newHousehold(20)
    static let notice = with(Fixture.newHousehold(21)) { $0.status = .publicNotice }
    static let covered = with(Fixture.newHousehold(22)) { $0.status = .covered; $0.coveredSince = Fixture.today.adding(days: -100) }
    static let filed = with(Fixture.newHousehold(23)) { $0.status = .covered; $0.coveredSince = Fixture.today.adding(days: -100) }
    static let elsewhere = Fixture.newHousehold(24, village: Fixture.villageB)
    static let member = Fixture.newMember(25, of: applied)
    static let filing = RelativeFiling(id: Fixture.freshID(26), village: Fixture.villageA, staff: Fixture.assistant.id,
                                       household: filed.id, relation: .sibling, filedOn: Fixture.today.adding(days: -30))

    /// Applies the server's page (village A's cursor only: village B is not in the worker's scope).
    static func seed(_ replica: Replica) throws {
        var server = OtherReplica()
        let a = [server.created(applied), server.created(notice), server.created(covered), server.created(filed),
                 server.created(member), server.created(filing)]
        let b = [server.created(elsewhere)]
        try replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: a + b, cursors: [Fixture.villageA: 7],
                                         digests: [Fixture.villageA: ScopeDigest.of(a)]))
    }

    static func with(_ h: Household, _ body: (inout Household) -> Void) -> Household {
        var h = h
        body(&h)
        return h
    }

    static func badIDNumber(_ valid: IDCardNumber) -> FieldValue {
        let raw = Array(valid.rawValue)
        let wrong: Character = raw[17] == "1" ? "2" : "1"
        return .text(String(raw.prefix(17)) + String(wrong))
    }
}

/// Every refusal a worker can meet, with the typed error it must produce.
enum Refused: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case createOutOfScope, leadOutOfScope, updateOutOfScope
    case assistantWritesAmount, assistantWritesCoveredSince, assistantResolvesConflict, visitNamingAnotherWorker
    case supervisorCreatesHousehold, supervisorRegistersLead, supervisorUpdatesPhone
    case recusedEligibilityVisit, recusedIncomeWrite, recusedWorkflowStep
    case badHeadIDNumber, badMemberIDNumber, negativeIncomeAtCreate, negativeAssets, futureVisit, mixedValidAndInvalid
    case skippedStep, assistantConfirms, statusBySet, newHouseholdNotApplied
    case immutableAppliedOn, immutableMemberHousehold
    case unknownHousehold, unknownMemberDelete, memberOfUnknownHousehold, transitionOfUnknownHousehold

    var testDescription: String { rawValue }

    var worker: Worker {
        switch self {
        case .supervisorCreatesHousehold, .supervisorRegistersLead, .supervisorUpdatesPhone: Fixture.supervisor
        default: Fixture.assistant
        }
    }

    /// The error's code and, for rule and validation refusals, their own codes.
    var expected: (code: ReplicaError.Code, rule: RuleViolation.Code?, problem: ValidationError.Problem?) {
        switch self {
        case .createOutOfScope, .leadOutOfScope, .updateOutOfScope: (.ruleViolation, .outOfScope, nil)
        // A city supervisor sees the city and writes nothing: the jurisdiction refuses every village
        // (the server answers `outside_scope` for the same reason).
        case .supervisorCreatesHousehold, .supervisorRegistersLead, .supervisorUpdatesPhone: (.ruleViolation, .outOfScope, nil)
        case .assistantWritesAmount, .assistantWritesCoveredSince, .assistantResolvesConflict, .visitNamingAnotherWorker,
             .assistantConfirms:
            (.ruleViolation, .roleNotAllowed, nil)
        case .recusedEligibilityVisit, .recusedIncomeWrite, .recusedWorkflowStep: (.ruleViolation, .recusal, nil)
        case .badHeadIDNumber, .badMemberIDNumber: (.invalidValue, nil, .badCheckDigit)
        case .negativeIncomeAtCreate, .negativeAssets, .mixedValidAndInvalid: (.invalidValue, nil, .negative)
        case .futureVisit: (.invalidValue, nil, .inFuture)
        case .skippedStep, .statusBySet, .newHouseholdNotApplied: (.ruleViolation, .invalidTransition, nil)
        case .immutableAppliedOn, .immutableMemberHousehold: (.ruleViolation, .immutable, nil)
        case .unknownHousehold, .unknownMemberDelete, .memberOfUnknownHousehold, .transitionOfUnknownHousehold:
            (.notFound, nil, nil)
        }
    }

    func attempt(_ r: Replica) throws(ReplicaError) {
        typealias W = RefusalWorld
        switch self {
        case .createOutOfScope: try r.createHousehold(Fixture.newHousehold(30, village: Fixture.villageB))
        case .leadOutOfScope: try r.registerLead(Fixture.newLead(30, village: Fixture.villageB))
        case .updateOutOfScope: try r.updateHousehold(W.elsewhere.id, [.phone: .text("13800000000")])
        case .assistantWritesAmount: try r.updateHousehold(W.covered.id, [.monthlyAmountFen: .int(30_000)])
        case .assistantWritesCoveredSince: try r.updateHousehold(W.covered.id, [.coveredSince: .date(Fixture.today)])
        case .assistantResolvesConflict: try r.resolveConflict(.household, W.covered.id, field: "monthlyIncomeFen", value: .int(1))
        case .visitNamingAnotherWorker: try r.recordVisit(Fixture.newVisit(30, of: W.covered, by: Fixture.reviewer))
        case .supervisorCreatesHousehold: try r.createHousehold(Fixture.newHousehold(30))
        case .supervisorRegistersLead: try r.registerLead(Fixture.newLead(30, by: Fixture.supervisor))
        case .supervisorUpdatesPhone: try r.updateHousehold(W.covered.id, [.phone: .text("13800000000")])
        case .recusedEligibilityVisit: try r.recordVisit(Fixture.newVisit(30, of: W.filed, kind: .annualReview))
        case .recusedIncomeWrite: try r.updateHousehold(W.filed.id, [.monthlyIncomeFen: .int(10_000)])
        case .recusedWorkflowStep: try r.transitionHousehold(W.filed.id, to: .underReview)
        case .badHeadIDNumber: try r.updateHousehold(W.covered.id, [.headIDNumber: W.badIDNumber(W.covered.headIDNumber)])
        case .badMemberIDNumber: try r.updateMember(W.member.id, [.idNumber: W.badIDNumber(W.member.idNumber)])
        case .negativeIncomeAtCreate: try r.createHousehold(Fixture.newHousehold(30, income: -1))
        case .negativeAssets: try r.updateHousehold(W.covered.id, [.assetsFen: .int(-100)])
        case .futureVisit: try r.recordVisit(Fixture.newVisit(30, of: W.covered, on: Fixture.today.adding(days: 5)))
        case .mixedValidAndInvalid: try r.updateHousehold(W.covered.id, [.phone: .text("13911112222"), .monthlyIncomeFen: .int(-1)])
        case .skippedStep: try r.transitionHousehold(W.applied.id, to: .townshipReviewed)
        case .assistantConfirms: try r.transitionHousehold(W.notice.id, to: .countyConfirmed)
        case .statusBySet: try r.updateHousehold(W.applied.id, [.status: .text("investigated")])
        case .newHouseholdNotApplied: try r.createHousehold(W.with(Fixture.newHousehold(30)) { $0.status = .covered })
        case .immutableAppliedOn: try r.updateHousehold(W.covered.id, [.appliedOn: .date(Fixture.today)])
        case .immutableMemberHousehold: try r.updateMember(W.member.id, [.householdID: .id(W.covered.id)])
        case .unknownHousehold: try r.updateHousehold(Fixture.freshID(99), [.phone: .text("13800000000")])
        case .unknownMemberDelete: try r.deleteMember(Fixture.freshID(99))
        case .memberOfUnknownHousehold: try r.addMember(Fixture.newMember(30, of: Fixture.newHousehold(99)))
        case .transitionOfUnknownHousehold: try r.transitionHousehold(Fixture.freshID(99), to: .investigated)
        }
    }
}

@Suite("Refused writes are typed and write nothing")
struct RefusalTests {
    @Test(arguments: Refused.allCases)
    func refusedWriteChangesNothing(_ refused: Refused) throws {
        let h = try ReplicaHarness(refused.worker)
        defer { h.finish() }
        try RefusalWorld.seed(h.replica)
        if refused.worker.role == .villageAssistant {
            // Something already waiting in the outbox, which the refusal must leave as it is.
            try h.replica.createHousehold(Fixture.newHousehold(40))
        }
        let before = try ReplicaSnapshot.of(h.replica)

        let error = try #require(refusal { () throws(ReplicaError) in try refused.attempt(h.replica) })
        #expect(error.code == refused.expected.code, "\(error)")
        #expect(error.rule?.code == refused.expected.rule, "\(error)")
        #expect(error.validation?.problem == refused.expected.problem, "\(error)")
        #expect(!error.message.isEmpty)

        #expect(try ReplicaSnapshot.of(h.replica) == before, "a refusal writes nothing")
        try h.reopen()
        #expect(try ReplicaSnapshot.of(h.replica) == before)
    }

    @Test func recusalLeavesContactFieldsAndScreeningVisitsOpen() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        try RefusalWorld.seed(h.replica)
        let filed = RefusalWorld.filed
        try h.replica.updateHousehold(filed.id, [.phone: .text("13700001111"), .notes: .text("联系方式更新")])
        try h.replica.recordVisit(Fixture.newVisit(30, of: filed, kind: .screening))
        #expect(try h.replica.outboxChanges().count == 3)
        #expect(try h.replica.householdDetail(filed.id).household.phone == "13700001111")
    }

    @Test func reviewerMayDoWhatTheAssistantMayNot() throws {
        let h = try ReplicaHarness(Fixture.reviewer)
        defer { h.finish() }
        try RefusalWorld.seed(h.replica)
        try h.replica.updateHousehold(RefusalWorld.covered.id, [.monthlyAmountFen: .int(30_000)])
        try h.replica.transitionHousehold(RefusalWorld.applied.id, to: .investigated)
        try h.replica.updateHousehold(RefusalWorld.filed.id, [.monthlyIncomeFen: .int(10_000)])   // the filing is not theirs
        #expect(try h.replica.outboxChanges().map(\.dot.counter) == [1, 2, 3])
    }
}
