import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

@Suite("Two devices converge after concurrent edits")
struct ConvergenceTests {
    let A = Fixture.villageA
    let income = Schema.household.id("monthlyIncomeFen")
    let phone = Schema.household.id("phone")

    /// An assistant and a reviewer edit the same household's income (review) and phone (lww)
    /// having seen the same state, then sync in turn until both have everything.
    func concurrentEdits(_ server: TestServer) async throws -> (TestDevice, TestDevice, RecordKey) {
        let assistant = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 9)
        let reviewer = try TestDevice(Fixture.reviewer, replica: 2, on: server, pageLimit: 9)
        try await assistant.syncOK()
        try await reviewer.syncOK()
        let household = Fixture.households(A)[3]
        try assistant.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(111_00), .phone: .text("13900000001")])
        server.clock.advance(by: 1_000)
        try reviewer.replica.updateHousehold(household.id, [.monthlyIncomeFen: .int(222_00), .phone: .text("13900000002")])
        try await assistant.syncOK()
        try await reviewer.syncOK()
        try await assistant.syncOK()
        return (assistant, reviewer, RecordKey(.household, household.id, scope: A))
    }

    @Test func aReviewFieldKeepsBothValuesAndAnLwwFieldTheSameWinnerEverywhere() async throws {
        try await TestServer.with { server in
            let (assistant, reviewer, key) = try await concurrentEdits(server)
            let stored = try #require(try await server.engine.store.record(key))
            #expect(Set(stored.fields[income]?.siblings.map(\.value) ?? []) == [.int(111_00), .int(222_00)])
            #expect(try await server.engine.store.openConflicts(villages: [A]).map(\.key) == [key])

            for device in [assistant, reviewer] {
                let view = try #require(try device.replica.record(.household, key.id))
                #expect(Set(view.fields[income]?.siblings.map(\.value) ?? []) == [.int(111_00), .int(222_00)],
                        "\(device.deviceID) keeps both incomes")
                #expect(view.value(phone) == stored.value(phone), "\(device.deviceID) shows the server's phone")
                let conflicts = try device.replica.openConflicts()
                #expect(conflicts.map(\.key) == [key], "\(device.deviceID) flags the household")
                #expect(conflicts.first?.fields.map(\.field) == ["monthlyIncomeFen"], "the phone is not a conflict")
                try await expectConverged(device, A)
            }
            // The later write wins the phone (HLC), on both devices alike.
            #expect(stored.value(phone) == .text("13900000002"))
            #expect(try assistant.replica.households(in: A).map(\.phone) == reviewer.replica.households(in: A).map(\.phone))
        }
    }

    @Test func aReviewersResolutionDisappearsEverywhere() async throws {
        try await TestServer.with { server in
            let (assistant, reviewer, key) = try await concurrentEdits(server)
            // The assistant may not settle it; the reviewer does.
            #expect(throws: ReplicaError.self) {
                try assistant.replica.resolveConflict(.household, key.id, field: "monthlyIncomeFen", value: .int(150_00))
            }
            try reviewer.replica.resolveConflict(.household, key.id, field: "monthlyIncomeFen", value: .int(150_00))
            #expect(try reviewer.replica.openConflicts().isEmpty, "resolved on the reviewer's device at once")
            let pushed = try await reviewer.syncOK()
            #expect(pushed.acked == 1)
            try await assistant.syncOK()

            #expect(try await server.engine.store.openConflicts(villages: [A]).isEmpty)
            let stored = try #require(try await server.engine.store.record(key))
            #expect(stored.fields[income]?.siblings.map(\.value) == [.int(150_00)])
            for device in [assistant, reviewer] {
                #expect(try device.replica.openConflicts().isEmpty, "\(device.deviceID) has nothing left to review")
                #expect(try device.replica.householdDetail(key.id).household.monthlyIncomeFen == 150_00)
                try await expectConverged(device, A)
            }
        }
    }

    @Test func concurrentMembersAndVisitsAllArriveOnBothDevices() async throws {
        try await TestServer.with { server in
            let assistant = try TestDevice(Fixture.assistant, replica: 1, on: server)
            let reviewer = try TestDevice(Fixture.reviewer, replica: 2, on: server)
            try await assistant.syncOK()
            try await reviewer.syncOK()
            let household = Fixture.households(A)[1]
            try assistant.replica.addMember(Fixture.member(1, of: household))
            try assistant.replica.recordVisit(Fixture.visit(2, at: household, by: Fixture.assistant, on: Fixture.today))
            try reviewer.replica.addMember(Fixture.member(3, of: household))
            try await reviewer.syncOK()
            try await assistant.syncOK()
            try await reviewer.syncOK()
            for device in [assistant, reviewer] {
                let detail = try device.replica.householdDetail(household.id)
                #expect(Set(detail.members.map(\.id)).isSuperset(of: [Fixture.freshID(1), Fixture.freshID(3)]))
                #expect(detail.visits.map(\.id).contains(Fixture.freshID(2)))
                try await expectConverged(device, A)
            }
        }
    }
}
