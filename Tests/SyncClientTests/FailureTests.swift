import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

/// A failed exchange of every kind a device meets, and what it leaves behind.
enum SyncFailure: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case offline, lostEveryResponse, revoked, rateLimited, schemaTooNew, scopeBlocked

    var testDescription: String { rawValue }

    var fault: TestServer.Fault {
        switch self {
        case .offline: .unreachable
        case .lostEveryResponse: .lostResponse
        case .revoked: .refused(status: 401, code: "revoked")
        case .rateLimited: .rateLimited(seconds: 30)
        case .schemaTooNew: .refused(status: 426, code: "schema_too_new")
        case .scopeBlocked: .refused(status: 409, code: "scope_blocked")
        }
    }

    /// The session's failure code.
    var code: String {
        switch self {
        case .offline, .lostEveryResponse: "offline"
        case .revoked: "revoked"
        case .rateLimited: "rate_limited"
        case .schemaTooNew: "schema_too_new"
        case .scopeBlocked: "scope_blocked"
        }
    }

    /// Whether the client retries it (with waits) before giving up.
    var isRetried: Bool { [.offline, .lostEveryResponse, .rateLimited].contains(self) }
}

@Suite("Failures keep the outbox; exactly once survives lost responses")
struct FailureTests {
    let A = Fixture.villageA

    /// Three writes on a bootstrapped device: a phone, a member and a visit.
    func pendingWrites(_ device: TestDevice) throws -> [Change] {
        let households = Fixture.households(A)
        try device.replica.updateHousehold(households[0].id, [.phone: .text("13700000007")])
        try device.replica.addMember(Fixture.member(1, of: households[1]))
        try device.replica.recordVisit(Fixture.visit(2, at: households[2], by: Fixture.assistant, on: Fixture.today))
        return try device.replica.outboxChanges()
    }

    @Test(arguments: SyncFailure.allCases)
    func aFailedSyncLeavesTheOutboxIntact(_ failure: SyncFailure) async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let outbox = try pendingWrites(device)
            let views = try device.replica.viewStates(in: A)

            server.failAlways(failure.fault, for: device.deviceID)
            let report = await device.sync()
            #expect(report.failureCode == failure.code)
            #expect(report.failedAttempts == (failure.isRetried ? device.configuration.maxAttempts : 1))
            #expect(device.waits.count == (failure.isRetried ? device.configuration.maxAttempts - 1 : 0))
            if failure == .rateLimited { #expect(device.waits.allSatisfy { $0 == 30_000 }) }
            #expect(try device.replica.outboxChanges() == outbox, "nothing leaves the outbox without an acknowledgement")
            #expect(try device.replica.outboxSummary().pending == outbox.count)
            #expect(try device.replica.viewStates(in: A) == views)
            #expect(try device.replica.lastSync()?.result == failure.code)
            #expect(try device.replica.lastSuccessfulSync() != nil)

            server.failAlways(nil, for: device.deviceID)
            let healed = try await device.syncOK()
            #expect(healed.acked == outbox.count)
            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(outbox.allSatisfy { counts[$0.dot] == 1 }, "each dot applied exactly once: \(counts)")
            try await expectConverged(device, A)
        }
    }

    @Test func aResponseLostAfterTheCommitCostsOneResend() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let outbox = try pendingWrites(device)
            let before = server.received(from: device.deviceID).count

            server.inject([.lostResponse], for: device.deviceID)
            let report = try await device.syncOK()
            #expect(report.failedAttempts == 1)
            #expect(report.acked == outbox.count)
            let sent = server.received(from: device.deviceID).dropFirst(before)
            #expect(sent.count == 2)
            #expect(sent.allSatisfy { $0.changes == outbox }, "the same batch, re-sent unchanged")

            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(counts.count == outbox.count)
            #expect(outbox.allSatisfy { counts[$0.dot] == 1 }, "the replayed batch applied nothing twice: \(counts)")
            try await expectConverged(device, A)
        }
    }

    @Test func theNextSyncResendsWhatTheServerCommittedButNeverAnswered() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let outbox = try pendingWrites(device)

            // The server commits, the response is lost, and the network stays down.
            server.inject([.lostResponse] + Array(repeating: .unreachable, count: 4), for: device.deviceID)
            let failed = await device.sync()
            #expect(failed.failureCode == "offline")
            #expect(try device.replica.outboxChanges() == outbox)
            #expect(try await server.auditCounts(of: device.identity.replica).count == outbox.count, "the server has them already")

            // Later, back online: the outbox goes again and is acknowledged as replayed.
            server.clock.advance(by: 3_600_000)
            let next = try await device.syncOK()
            #expect(next.acked == outbox.count && next.rejected == 0)
            #expect(server.received(from: device.deviceID).last(where: { !$0.changes.isEmpty })?.changes == outbox)
            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(outbox.allSatisfy { counts[$0.dot] == 1 }, "\(counts)")
            #expect(try device.replica.outboxChanges().isEmpty)
            try await expectConverged(device, A)
        }
    }

    @Test func aRevokedDeviceStopsAtOnceAndKeepsItsOutbox() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let outbox = try pendingWrites(device)
            server.failAlways(.refused(status: 401, code: "revoked"), for: device.deviceID)
            let report = await device.sync()
            #expect(report.outcome == .failure(code: "revoked", message: "401: device-1 refused"))
            #expect(report.exchanges == 1 && device.waits.isEmpty, "no retry of a refusal")
            #expect(try device.replica.outboxChanges() == outbox)
            #expect(try device.replica.outboxSummary().rejected.isEmpty, "a refused request rejects no change")
            #expect(try device.replica.lastSync()?.reason == "401: device-1 refused")
        }
    }

    @Test func unreachableRetriesWaitLongerEachTime() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            server.inject(Array(repeating: .unreachable, count: 3), for: device.deviceID)
            let report = try await device.syncOK()
            #expect(report.failedAttempts == 3)
            // Jitter 0.5 takes three quarters of base·2^(n−1).
            #expect(device.waits == [750, 1_500, 3_000])
            try await expectConverged(device, A)
        }
    }
}
