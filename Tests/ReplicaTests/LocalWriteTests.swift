import FieldModel
import Replica
import SyncCore
import Testing

/// Every write API the field app calls, with what it must leave behind.
enum LocalWrite: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case createHousehold, updateHousehold, transitionHousehold, addMember, updateMember, deleteMember
    case recordVisit, registerLead, updateLeadStatus, resolveConflict

    var testDescription: String { rawValue }

    /// Resolving is a reviewer's job; everything else a village assistant does.
    var worker: Worker { self == .resolveConflict ? Fixture.reviewer : Fixture.assistant }

    struct Outcome {
        var changes: [Change]
        var key: RecordKey
        var expected: [String: FieldValue]
        var deleted = false
    }

    /// Makes whatever the write needs first (also local writes), then the write itself.
    func perform(on replica: Replica) throws -> Outcome {
        let household = Fixture.newHousehold(1)
        let householdKey = RecordKey(.household, household.id, scope: household.village)
        if ![.createHousehold, .registerLead, .updateLeadStatus].contains(self) {
            try replica.createHousehold(household)
        }
        let member = Fixture.newMember(2, of: household)
        let memberKey = RecordKey(.member, member.id, scope: member.village)
        let lead = Fixture.newLead(3)
        let leadKey = RecordKey(.discoveryLead, lead.id, scope: lead.village)
        switch self {
        case .createHousehold:
            let c = try replica.createHousehold(household)
            return Outcome(changes: [c], key: householdKey,
                           expected: ["headName": .text(household.headName), "status": .text("applied"), "monthlyIncomeFen": .int(80_000)])
        case .updateHousehold:
            let values: [Household.Field: FieldValue] = [.phone: .text("13900001111"), .notes: .text("复核备注"), .monthlyIncomeFen: .int(65_000)]
            return Outcome(changes: try replica.updateHousehold(household.id, values), key: householdKey, expected: byName(values))
        case .transitionHousehold:
            let c = try replica.transitionHousehold(household.id, to: .investigated)
            return Outcome(changes: [c], key: householdKey, expected: ["status": .text("investigated")])
        case .addMember:
            let c = try replica.addMember(member)
            return Outcome(changes: [c], key: memberKey, expected: ["name": .text(member.name), "householdID": .id(household.id)])
        case .updateMember:
            try replica.addMember(member)
            let values: [Member.Field: FieldValue] = [.name: .text("改名"), .labourAbility: .text("partial")]
            return Outcome(changes: try replica.updateMember(member.id, values), key: memberKey, expected: byName(values))
        case .deleteMember:
            try replica.addMember(member)
            return Outcome(changes: [try replica.deleteMember(member.id)], key: memberKey, expected: [:], deleted: true)
        case .recordVisit:
            let visit = Fixture.newVisit(4, of: household, kind: .applicationInvestigation)
            let c = try replica.recordVisit(visit)
            return Outcome(changes: [c], key: RecordKey(.visit, visit.id, scope: visit.village),
                           expected: ["kind": .text("applicationInvestigation"), "date": .date(Fixture.today)])
        case .registerLead:
            let c = try replica.registerLead(lead)
            return Outcome(changes: [c], key: leadKey, expected: ["personName": .text(lead.personName), "followUpStatus": .text("open")])
        case .updateLeadStatus:
            try replica.registerLead(lead)
            let c = try replica.updateLeadStatus(lead.id, to: .visited)
            return Outcome(changes: [c], key: leadKey, expected: ["followUpStatus": .text("visited")])
        case .resolveConflict:
            let c = try replica.resolveConflict(.household, household.id, field: "monthlyIncomeFen", value: .int(55_000))
            return Outcome(changes: [c], key: householdKey, expected: ["monthlyIncomeFen": .int(55_000)])
        }
    }

    /// Typed field values by their fields' names, as `expected` holds them.
    private func byName<Key: FieldKey>(_ values: [Key: FieldValue]) -> [String: FieldValue] {
        Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
    }
}

@Suite("Local writes commit the row and the outbox change together")
struct LocalWriteTests {
    @Test(arguments: LocalWrite.allCases)
    func writeIsInOutboxAndViewAndSurvivesRestart(_ write: LocalWrite) throws {
        let h = try ReplicaHarness(write.worker)
        defer { h.finish() }
        let outcome = try write.perform(on: h.replica)

        let outbox = try h.replica.outboxChanges()
        #expect(!outcome.changes.isEmpty)
        #expect(outbox.map(\.dot.counter) == Array(1...UInt64(outbox.count)), "dots are consecutive from 1")
        #expect(outbox.allSatisfy { $0.dot.replica == h.identity.replica && $0.author == write.worker.id })
        #expect(Array(outbox.suffix(outcome.changes.count)) == outcome.changes, "the returned changes are the newest in the outbox")
        #expect(try h.replica.lastCounter() == UInt64(outbox.count))
        #expect(try h.replica.outboxSummary().pending == outbox.count)
        #expect(outcome.changes.allSatisfy { $0.record == outcome.key })

        let view = try #require(try h.replica.record(outcome.key.collection, outcome.key.id))
        #expect(outcome.changes.allSatisfy { view.version.covers($0.dot) }, "the view includes every change")
        #expect(view.isDeleted == outcome.deleted)
        for (name, value) in outcome.expected {
            #expect(view.value(outcome.key.collection.schema.id(name)) == value, "\(name)")
        }

        let before = try ReplicaSnapshot.of(h.replica)
        try h.reopen()
        #expect(try ReplicaSnapshot.of(h.replica) == before, "the same outbox, counter and views after a restart")
        #expect(try h.replica.record(outcome.key.collection, outcome.key.id) == view)
        #expect(try h.replica.integrityCheck() == "ok")
    }

    @Test func oneCallWritingSeveralFieldsChainsItsChanges() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        let create = try h.replica.createHousehold(household)
        let changes = try h.replica.updateHousehold(household.id, [.addressDetail: .text("二组7号"), .assetsFen: .int(1),
                                                                   .notes: .text("a"), .phone: .text("0359-1234567")])
        #expect(changes.map(\.dot.counter) == [2, 3, 4, 5])
        #expect(changes[0].context.covers(create.dot))
        for (previous, next) in zip(changes, changes.dropFirst()) {
            #expect(next.context.covers(previous.dot), "each change supersedes the one before it")
            #expect(next.hlc > previous.hlc)
        }
    }

    @Test func countersKeepGrowingAcrossRestarts() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        try h.replica.createHousehold(household)
        try h.reopen()
        h.clock.advance(by: -60_000)   // the phone's clock went back a minute while it was off
        let next = try h.replica.updateHousehold(household.id, [.notes: .text("重启后")])
        let all = try h.replica.outboxChanges()
        #expect(next.map(\.dot.counter) == [2])
        #expect(all[1].hlc > all[0].hlc, "the hybrid clock never goes back, even when the wall clock does")
    }

    @Test func writesShowInTheDomainQueries() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        let household = Fixture.newHousehold(1)
        try h.replica.createHousehold(household)
        try h.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(12_345)])
        let member = Fixture.newMember(2, of: household)
        try h.replica.addMember(member)
        try h.replica.recordVisit(Fixture.newVisit(3, of: household))
        try h.reopen()

        var expected = household
        expected.monthlyIncomeFen = 12_345
        #expect(try h.replica.households(in: Fixture.villageA) == [expected])
        let detail = try h.replica.householdDetail(household.id)
        #expect(detail.household == expected)
        #expect(detail.members == [member])
        #expect(detail.visits.map(\.id) == [Fixture.freshID(3)])
        #expect(!detail.needsReview)
        #expect(try h.replica.integrityCheck() == "ok")
    }
}
