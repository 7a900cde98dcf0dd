import FieldModel
import Foundation
import Replica
import SyncClient
import SyncCore
import Testing

/// A full disk under the device's replica: a real tmpfs filled to its last byte, so SQLite
/// meets ENOSPC. A local save and a pull's apply fail with a clean storage error and change
/// nothing; once space returns, the device saves and converges.
@Suite("Storage faults: a full disk on the device", .serialized)
struct StorageFaultTests {
    @Test func aLocalSaveOnAFullDiskIsRefusedWholeAndSavesOnceSpaceReturns() async throws {
        let dir = try scratchDirectory("full-save")
        let disk = try SmallDisk(megabytes: 2)
        defer { disk.unmount(); try? FileManager.default.removeItem(atPath: dir) }
        let server = try await FaultServer.start(in: dir)
        defer { server.process.stop() }
        let device = try await server.enrol("full.save", replica: 0xD15C_0001, at: disk.path + "/replica.sqlite")
        defer { try? device.replica.close() }
        for n in 0..<5 { try device.createHousehold(n) }
        #expect(await device.sync().succeeded)

        try disk.fill()
        // Pages SQLite already holds may take a few more saves; the first refused one must change nothing.
        var saved: [Household] = []
        var refusal: ReplicaError?
        for n in 5..<5_000 {
            let before = try device.snapshot()
            do { saved.append(try device.createHousehold(n, address: String(repeating: "东风村三组", count: 20))) } catch {
                refusal = error
                #expect(try device.snapshot() == before, "a refused save left part of itself behind")
                break
            }
        }
        let error = try #require(refusal, "saves kept succeeding on a full disk")
        #expect(error.code == .storage, "\(error)")
        #expect(error.message.contains("full"), "the error says the disk is full: \(error)")
        #expect(try device.replica.integrityCheck() == "ok")
        let held = Set(try device.replica.households(in: FaultServer.village).map(\.id))
        #expect(saved.allSatisfy { held.contains($0.id) }, "every save that returned is still there")

        try disk.free()
        try device.createHousehold(9_999)
        let report = await device.sync()
        #expect(report.succeeded, "\(report.outcome)")
        #expect(try device.replica.pendingChanges().isEmpty)
        let applied = try await server.applied(device.replica)
        let made = Int(try device.replica.lastCounter())
        #expect(applied.count == made && applied.values.allSatisfy { $0 == 1 }, "the server holds each of the device's \(made) changes once: \(applied.count)")
    }

    @Test func aPullAppliedOnAFullDiskChangesNothingAndConvergesOnceSpaceReturns() async throws {
        let dir = try scratchDirectory("full-pull")
        let disk = try SmallDisk(megabytes: 16)
        defer { disk.unmount(); try? FileManager.default.removeItem(atPath: dir) }
        let server = try await FaultServer.start(in: dir)
        defer { server.process.stop() }
        let writer = try await server.enrol("writer", replica: 0xD15C_0002, at: dir + "/writer.sqlite")
        let full = try await server.enrol("full.pull", replica: 0xD15C_0003, at: disk.path + "/replica.sqlite")
        defer { try? writer.replica.close(); try? full.replica.close() }
        #expect(await full.sync().succeeded)
        let own = try full.createHousehold(1)
        for n in 2..<400 { try writer.createHousehold(n, address: String(repeating: "东风村三组", count: 20)) }
        #expect(await writer.sync().succeeded)

        try disk.fill()
        let before = try full.snapshot()
        let failed = await full.sync()
        guard case .failure(let code, let message) = failed.outcome else {
            Issue.record("a pull of 399 households applied on a full disk")
            return
        }
        #expect(code == "storage" && message.contains("full"), "\(code): \(message)")
        #expect(try full.snapshot() == before, "the failed apply left part of its page behind")
        #expect(try full.replica.integrityCheck() == "ok")
        // The server applied the push whose answer could not be stored: the change is still pending.
        #expect(try await server.applied(full.replica)[Dot(full.replica.identity.replica, 1).description] == 1)
        #expect(try full.replica.pendingChanges().map(\.record.id) == [own.id])

        try disk.free()
        let report = await full.sync()
        #expect(report.succeeded, "\(report.outcome)")
        #expect(await writer.sync().succeeded)
        #expect(try full.replica.pendingChanges().isEmpty)
        #expect(try full.replica.households(in: FaultServer.village).count == 399, "the 398 pulled and its own")
        #expect(try full.replica.digest(of: FaultServer.village) == writer.replica.digest(of: FaultServer.village))
        #expect(try await server.applied(full.replica) == [Dot(full.replica.identity.replica, 1).description: 1], "re-sent, applied once")
    }
}
