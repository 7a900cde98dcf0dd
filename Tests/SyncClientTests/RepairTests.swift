import FieldModel
import GRDB
import Replica
import SyncClient
import SyncCore
import Testing

/// Damage done to a device file behind the replica's back, as storage faults or a careless
/// repair tool would.
enum Tampering: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A member's row vanishes.
    case deleteRecordRow
    /// The stored digest of the village no longer matches anything.
    case corruptStoredDigest

    var testDescription: String { rawValue }

    func apply(to path: String, village: VillageCode) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            switch self {
            case .deleteRecordRow:
                try db.execute(sql: "DELETE FROM records WHERE collection = 2 AND id = (SELECT id FROM records WHERE collection = 2 ORDER BY id LIMIT 1)")
                #expect(db.changesCount == 1)
            case .corruptStoredDigest:
                try db.execute(sql: "UPDATE digests SET low = low + 1 WHERE village = ?", arguments: [Int64(village.rawValue)])
                #expect(db.changesCount == 1)
            }
        }
        try queue.close()
    }
}

@Suite("Repair after a digest mismatch")
struct RepairTests {
    let A = Fixture.villageA

    @Test(arguments: Tampering.allCases)
    func aTamperedVillageIsRepairedByAFullPull(_ tampering: Tampering) async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 5)
            try await device.syncOK()
            let household = Fixture.households(A)[4]
            try device.replica.updateHousehold(household.id, [.notes: .text("修复前的记录")])
            let outbox = try device.replica.outboxChanges()
            let before = try device.replica.viewStates(in: A).count

            try tampering.apply(to: device.path, village: A)
            if tampering == .deleteRecordRow {
                #expect(try device.replica.viewStates(in: A).count == before - 1)
            }

            let report = try await device.syncOK()
            #expect(report.repairs == [A])
            #expect(report.acked == outbox.count, "the outbox went up as usual")
            #expect(try device.replica.viewStates(in: A).count == before)
            #expect(try device.replica.householdDetail(household.id).household.notes == "修复前的记录")
            #expect(try device.replica.integrityCheck() == "ok")
            try await expectConverged(device, A)

            let healthy = try await device.syncOK()
            #expect(healthy.repairs.isEmpty)
        }
    }

    @Test func aVillageThatStillDiffersAfterItsRepairFailsTheSync() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            try device.replica.updateHousehold(Fixture.households(A)[0].id, [.notes: .text("待发送")])
            let outbox = try device.replica.outboxChanges()

            // A server whose digests are wrong: the repair cannot make them match.
            server.failAlways(.wrongDigests, for: device.deviceID)
            let report = await device.sync()
            #expect(report.failureCode == "digest_mismatch")
            #expect(report.repairs == [A], "one repair, then the failure")
            #expect(try device.replica.lastSync()?.result == "digest_mismatch")
            #expect(try device.replica.outboxSummary().pending == 0, "the outbox still went up")
            let counts = try await server.auditCounts(of: device.identity.replica)
            #expect(outbox.allSatisfy { counts[$0.dot] == 1 })

            server.failAlways(nil, for: device.deviceID)
            let healthy = try await device.syncOK()
            #expect(healthy.repairs.isEmpty)
            try await expectConverged(device, A)
        }
    }
}
