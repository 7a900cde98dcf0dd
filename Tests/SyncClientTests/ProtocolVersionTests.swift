import FieldModel
import Replica
import SyncClient
import SyncCore
import SyncProtocol
import Testing

/// Protocol version 2 names records by the handles the server's pages gave; version 1 is still
/// served (SPEC §9). A device of each version syncs with the same server and both converge; a
/// stale handle costs an exchange, never a write.
@Suite("Protocol versions 1 and 2 side by side, and stale handles")
struct ProtocolVersionTests {
    let A = Fixture.villageA

    @Test func aVersion1DeviceAndAVersion2DeviceConvergeOnOneServer() async throws {
        try await TestServer.with { server in
            let old = try TestDevice(Fixture.assistant, replica: 1, on: server)
            let new = try TestDevice(Fixture.reviewer, replica: 2, on: server)
            server.speakVersion1(old.deviceID)
            try await old.syncOK()
            try await new.syncOK()
            let households = Fixture.households(A)
            for (i, h) in households.prefix(5).enumerated() {
                try old.replica.updateHousehold(h.id, [.phone: .text("1370000000\(i)")])
                try new.replica.updateHousehold(h.id, [.notes: .text("复核 \(i)")])
            }
            let newReport = try await new.syncOK()
            let oldReport = try await old.syncOK()
            #expect(oldReport.acked == 5 && oldReport.rejected == 0, "\(oldReport)")
            #expect(newReport.acked == 5 && newReport.rejected == 0 && newReport.resent == 0, "\(newReport)")
            try await new.syncOK()

            let oldRequests = server.received(from: old.deviceID)
            #expect(oldRequests.allSatisfy { $0.protocolVersion == 1 && $0.unresolvedHandles.isEmpty })
            let pushes = server.received(from: new.deviceID).filter { !$0.changes.isEmpty }
            #expect(pushes.count == 1 && pushes.allSatisfy { $0.protocolVersion == 2 })
            #expect(pushes.first?.unresolvedHandles.count == 5, "every household named by its handle, not its id")

            for (i, h) in households.prefix(5).enumerated() {
                let state = try #require(try await server.village(A).states.first { $0.key.id == h.id })
                #expect(state.value(Schema.household.id("phone")) == .text("1370000000\(i)"))
                #expect(state.value(Schema.household.id("notes")) == .text("复核 \(i)"))
            }
            try await expectConverged(old, A)
            try await expectConverged(new, A)
        }
    }

    /// The reviewer's handles go stale when the assistant writes the same households after the
    /// reviewer's last pull: the server answers `unknown_handle` for the first stale one and every
    /// later change, records nothing of them, and the device sends them again by id, each applied once.
    @Test func aStaleHandleIsResentByIdAndNoWriteIsLost() async throws {
        try await TestServer.with { server in
            let assistant = try TestDevice(Fixture.assistant, replica: 1, on: server)
            let reviewer = try TestDevice(Fixture.reviewer, replica: 2, on: server)
            try await assistant.syncOK()
            try await reviewer.syncOK()
            let households = Fixture.households(A)
            try assistant.replica.updateHousehold(households[1].id, [.phone: .text("13700000001")])
            try await assistant.syncOK()

            try reviewer.replica.updateHousehold(households[0].id, [.notes: .text("先")])
            try reviewer.replica.updateHousehold(households[1].id, [.notes: .text("过期的句柄")])
            try reviewer.replica.updateHousehold(households[2].id, [.notes: .text("后")])
            let report = try await reviewer.syncOK()
            #expect(report.resent == 2 && report.rejected == 0 && report.acked == 3, "\(report)")
            #expect(try reviewer.replica.outboxSummary().rejected.isEmpty, "nothing stays refused")

            let pushes = server.received(from: reviewer.deviceID).filter { !$0.changes.isEmpty }
            #expect(pushes.count == 2, "the stale change and the one after it went again")
            #expect(pushes.last.map { $0.changes.count == 2 && $0.unresolvedHandles.count == 1 } == true,
                    "the stale record by the new handle its page gave, the later one by id (its handle forgotten with the refusal)")
            let counts = try await server.auditCounts(of: reviewer.identity.replica)
            #expect(counts.count == 3 && counts.values.allSatisfy { $0 == 1 }, "each write applied once: \(counts)")
            let state = try #require(try await server.village(A).states.first { $0.key.id == households[1].id })
            #expect(state.value(Schema.household.id("notes")) == .text("过期的句柄"))
            #expect(state.value(Schema.household.id("phone")) == .text("13700000001"))
            try await assistant.syncOK()
            try await expectConverged(reviewer, A)
            try await expectConverged(assistant, A)
        }
    }
}
