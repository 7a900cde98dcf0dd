import FieldModel
import Replica
import SyncCore
import SyncProtocol
import Testing

/// What the device holds before each policy refusal: households at every step the policy gates,
/// written by the workers who made each step, the village's notices, and a filing.
enum PolicyWorld {
    static let investigated = Fixture.newHousehold(50)
    static let listedRunning = with(Fixture.newHousehold(51)) { $0.status = .publicNotice }
    static let unlisted = with(Fixture.newHousehold(52)) { $0.status = .publicNotice }
    static let objected = with(Fixture.newHousehold(53)) { $0.status = .publicNotice }
    static let ready = with(Fixture.newHousehold(54)) { $0.status = .publicNotice }
    static let confirmed = with(Fixture.newHousehold(55)) { $0.status = .countyConfirmed }
    static let contested = with(Fixture.newHousehold(56)) { $0.status = .investigated }
    static let covered = with(Fixture.newHousehold(57)) { $0.status = .covered; $0.coveredSince = Fixture.today.adding(days: -200) }
    static let filed = Fixture.newHousehold(58)
    static let memberOfCovered = Fixture.newMember(59, of: covered)
    static let filing = RelativeFiling(id: Fixture.freshID(60), village: Fixture.villageA, staff: Fixture.assistant.id, household: filed.id,
                                       relation: .parent, filedOn: Fixture.today.adding(days: -3))

    static func notice(_ n: UInt64, _ households: [Household], startsDaysAgo: Int, days: Int = 7, objections: Int64 = 0, resolved: Int64 = 0) -> PublicNotice {
        let starts = Fixture.today.adding(days: -startsDaysAgo)
        return PublicNotice(id: Fixture.freshID(n), village: Fixture.villageA, households: households.map(\.id), startsOn: starts,
                            endsOn: starts.adding(days: days - 1), objectionCount: objections, objectionNotes: objections > 0 ? "群众反映" : "",
                            resolvedObjectionCount: resolved)
    }

    /// The page the server sends: the households as their steps left them, the notices, the filing.
    static func seed(_ replica: Replica) throws {
        var server = OtherReplica()
        var reviewer = OtherReplica(ReplicaID(0xB1), author: Fixture.reviewer.id)
        var other = OtherReplica(ReplicaID(0xB2), author: WorkerID(unchecked: "tr-test-2"))
        let status = Schema.household.id("status")
        // Investigated by the reviewer whose device this may be.
        let created = server.created(investigated)
        let stepped = created.merging([reviewer.change(created.key, .transition(status, from: .text("applied"), to: .text("investigated")), seeing: created.version)])
        // Two reviewers' concurrent decisions on one household.
        let contestedCreated = server.created(contested)
        let decisions = [reviewer.change(contestedCreated.key, .transition(status, from: .text("investigated"), to: .text("townshipReviewed")), seeing: contestedCreated.version),
                         other.change(contestedCreated.key, .transition(status, from: .text("investigated"), to: .text("declined")), seeing: contestedCreated.version)]
        let states = [stepped, server.created(listedRunning), server.created(unlisted), server.created(objected), server.created(ready),
                      server.created(confirmed), contestedCreated.merging(decisions), server.created(covered), server.created(filed),
                      server.created(memberOfCovered), server.created(filing),
                      server.created(notice(61, [listedRunning], startsDaysAgo: 2)),
                      server.created(notice(62, [objected], startsDaysAgo: 10, objections: 2, resolved: 1)),
                      server.created(notice(63, [ready], startsDaysAgo: 10, objections: 1, resolved: 1))]
        try replica.receivePage(states)
    }

    static func with(_ h: Household, _ body: (inout Household) -> Void) -> Household {
        var h = h
        body(&h)
        return h
    }
}

/// Every policy refusal a device makes before anything is written, with the rule it names.
enum PolicyRefused: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case reviewerReviewsOwnInvestigation, assistantReviewsAtTownship, confirmWithoutNotice, confirmBeforeNoticeEnds
    case confirmWithObjectionOpen, coverWithoutCoverageDate, stepWhileStatusContested, resolveToAnUncontestedValue
    case resolveWithNothingToResolve, deleteAnotherWorkersHousehold, deleteMemberOfCoveredHousehold
    case deleteOwnHouseholdAfterInvestigation, addMemberToRelativesHousehold, fileAnotherWorkersRelative
    case noticeOfSixDays, noticeEndingBeforeItStarts, gradeWithoutDisability, moreObjectionsResolvedThanRaised

    var testDescription: String { rawValue }

    var worker: Worker {
        switch self {
        case .reviewerReviewsOwnInvestigation, .resolveToAnUncontestedValue, .resolveWithNothingToResolve, .noticeOfSixDays,
             .noticeEndingBeforeItStarts, .moreObjectionsResolvedThanRaised:
            Fixture.reviewer
        case .confirmWithoutNotice, .confirmBeforeNoticeEnds, .confirmWithObjectionOpen, .coverWithoutCoverageDate:
            Fixture.confirmer
        default:
            Fixture.assistant
        }
    }

    var expected: (rule: RuleViolation.Code?, problem: ValidationError.Problem?) {
        switch self {
        case .reviewerReviewsOwnInvestigation: (.separationOfDuties, nil)
        case .assistantReviewsAtTownship: (.roleNotAllowed, nil)
        case .confirmWithoutNotice, .confirmBeforeNoticeEnds, .confirmWithObjectionOpen: (.noticeNotReady, nil)
        case .stepWhileStatusContested, .resolveToAnUncontestedValue: (.statusConflict, nil)
        case .resolveWithNothingToResolve: (.invalidTransition, nil)
        case .deleteAnotherWorkersHousehold, .deleteMemberOfCoveredHousehold, .deleteOwnHouseholdAfterInvestigation: (.notDeletable, nil)
        case .addMemberToRelativesHousehold: (.recusal, nil)
        case .fileAnotherWorkersRelative: (.roleNotAllowed, nil)
        case .coverWithoutCoverageDate, .noticeOfSixDays, .noticeEndingBeforeItStarts, .gradeWithoutDisability, .moreObjectionsResolvedThanRaised:
            (nil, .inconsistent)
        }
    }

    func attempt(_ r: Replica) throws(ReplicaError) {
        typealias W = PolicyWorld
        switch self {
        case .reviewerReviewsOwnInvestigation: try r.transitionHousehold(W.investigated.id, to: .townshipReviewed)
        case .assistantReviewsAtTownship: try r.transitionHousehold(W.investigated.id, to: .townshipReviewed)
        case .confirmWithoutNotice: try r.transitionHousehold(W.unlisted.id, to: .countyConfirmed)
        case .confirmBeforeNoticeEnds: try r.transitionHousehold(W.listedRunning.id, to: .countyConfirmed)
        case .confirmWithObjectionOpen: try r.transitionHousehold(W.objected.id, to: .countyConfirmed)
        case .coverWithoutCoverageDate: try r.transitionHousehold(W.confirmed.id, to: .covered)
        case .stepWhileStatusContested: try r.transitionHousehold(W.contested.id, to: .townshipReviewed)
        case .resolveToAnUncontestedValue: try r.resolveConflict(.household, W.contested.id, field: "status", value: .text("publicNotice"))
        case .resolveWithNothingToResolve: try r.resolveConflict(.household, W.covered.id, field: "status", value: .text("covered"))
        case .deleteAnotherWorkersHousehold: try r.deleteHousehold(W.filed.id)
        case .deleteMemberOfCoveredHousehold: try r.deleteMember(W.memberOfCovered.id)
        case .deleteOwnHouseholdAfterInvestigation: try r.deleteHousehold(Fixture.freshID(70))
        case .addMemberToRelativesHousehold: try r.addMember(Fixture.newMember(71, of: W.filed))
        case .fileAnotherWorkersRelative:
            try r.fileRelative(RelativeFiling(id: Fixture.freshID(72), village: Fixture.villageA, staff: Fixture.reviewer.id,
                                              household: W.covered.id, relation: .sibling, filedOn: Fixture.today))
        case .noticeOfSixDays: try r.publishNotice(W.notice(73, [W.investigated], startsDaysAgo: 0, days: 6))
        case .noticeEndingBeforeItStarts: try r.publishNotice(W.notice(74, [W.investigated], startsDaysAgo: 0, days: -2))
        case .gradeWithoutDisability: try r.updateMember(W.memberOfCovered.id, [.disabilityGrade: .int(2)])
        case .moreObjectionsResolvedThanRaised: try r.updateNotice(Fixture.freshID(63), [.resolvedObjectionCount: .int(3)])
        }
    }
}

@Suite("The policy refuses on the device, before anything is written")
struct PolicyRefusalTests {
    @Test(arguments: PolicyRefused.allCases)
    func refusedWriteChangesNothing(_ refused: PolicyRefused) throws {
        let h = try ReplicaHarness(refused.worker)
        defer { h.finish() }
        try PolicyWorld.seed(h.replica)
        // A write that builds up to the refusal (the worker's own household) is committed first;
        // the snapshot is taken right before the refused write.
        if refused == .deleteOwnHouseholdAfterInvestigation {
            let mine = Fixture.newHousehold(70)
            try h.replica.createHousehold(mine)
            try h.replica.transitionHousehold(mine.id, to: .investigated)
        }
        let before = try ReplicaSnapshot.of(h.replica)
        let error = try #require(refusal { () throws(ReplicaError) in try refused.attempt(h.replica) })
        #expect(error.rule?.code == refused.expected.rule, "\(error)")
        #expect(error.validation?.problem == refused.expected.problem, "\(error)")
        #expect(!error.message.isEmpty)
        #expect(try ReplicaSnapshot.of(h.replica) == before, "a refusal writes nothing")
    }

    /// The same steps the refusals above refuse, made by the right person at the right time.
    @Test func theRightPersonAtTheRightTimeIsLetThrough() throws {
        let confirmer = try ReplicaHarness(Fixture.confirmer)
        defer { confirmer.finish() }
        try PolicyWorld.seed(confirmer.replica)
        try confirmer.replica.transitionHousehold(PolicyWorld.ready.id, to: .countyConfirmed)
        try confirmer.replica.resolveConflict(.household, PolicyWorld.contested.id, field: "status", value: .text("declined"))
        try confirmer.replica.updateHousehold(PolicyWorld.confirmed.id, [.coveredSince: .date(Fixture.today)])
        try confirmer.replica.transitionHousehold(PolicyWorld.confirmed.id, to: .covered)

        let other = Worker(id: WorkerID(unchecked: "tr-test-3"), name: "钱审核", role: .townshipReviewer, assignment: Fixture.reviewer.assignment)
        let reviewer = try ReplicaHarness(other)
        defer { reviewer.finish() }
        try PolicyWorld.seed(reviewer.replica)
        try reviewer.replica.transitionHousehold(PolicyWorld.investigated.id, to: .townshipReviewed)
        try reviewer.replica.publishNotice(PolicyWorld.notice(80, [PolicyWorld.investigated], startsDaysAgo: 0))
        try reviewer.replica.transitionHousehold(PolicyWorld.investigated.id, to: .publicNotice)

        let assistant = try ReplicaHarness()
        defer { assistant.finish() }
        try PolicyWorld.seed(assistant.replica)
        let mine = Fixture.newHousehold(81)
        try assistant.replica.createHousehold(mine)
        try assistant.replica.addMember(Fixture.newMember(82, of: mine))
        try assistant.replica.deleteMember(Fixture.freshID(82))
        try assistant.replica.deleteHousehold(mine.id)
        try assistant.replica.fileRelative(RelativeFiling(id: Fixture.freshID(83), village: Fixture.villageA, staff: Fixture.assistant.id,
                                                          household: PolicyWorld.covered.id, relation: .sibling, filedOn: Fixture.today))
        #expect(try assistant.replica.outboxChanges().count == 5)
    }
}
