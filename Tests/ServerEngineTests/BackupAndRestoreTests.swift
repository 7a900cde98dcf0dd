import FieldModel
import Foundation
import ServerEngine
import ServerSQLite
import SyncCore
import SyncProtocol
import Testing

/// SPEC §4, "Restores", on both stores: the backup mark, the epoch and what a sync answers about
/// them; and SQLite's online backup, taken while pushes commit.
@Suite("Backups and restores")
struct BackupAndRestoreTests {
    static let a = Fixture.villageA

    @Test(arguments: StoreBackend.all)
    func aSyncTellsTheEpochWhereTheBatchLandedAndWhatTheLatestBackupHolds(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xB1)
            let first = try await device.syncUntilDone(engine).last!
            #expect(first.serverEpoch == RecoveryMark.firstEpoch, "a database never restored is in epoch 1")
            #expect(first.backedUpThrough == 0, "no backup yet")
            let house = Fixture.key(Fixture.household(in: Self.a))
            let pushed = try await device.sync(engine, [device.set(house, "phone", .text("13700000011"))])
            let mark = try await engine.store.recoveryMark()
            #expect(pushed.acked.count == 1 && pushed.appliedThrough == mark.lastSequence && pushed.appliedThrough > first.appliedThrough)

            try await engine.store.recordBackup(through: pushed.appliedThrough, at: Fixture.now)
            try await engine.store.recordBackup(through: 1, at: Fixture.now + 1)
            let after = try await engine.store.recoveryMark()
            #expect(after.backedUpThrough == pushed.appliedThrough && after.backedUpAtMilliseconds == Fixture.now, "an older backup never moves the mark back")
            #expect(try await device.sync(engine).backedUpThrough == pushed.appliedThrough)

            var old = device.request([])
            old.protocolVersion = 1
            let v1 = try await engine.sync(old, device: device.context, now: Fixture.now)
            #expect(v1.serverEpoch == 0 && v1.appliedThrough == 0 && v1.backedUpThrough == 0, "version 1 answers carry none of it")
        }
    }

    @Test(arguments: StoreBackend.all)
    func aRestoredStoreStartsANewEpochAndADeviceOfTheOldOneStartsOver(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xB2)
            let seen = try await device.syncUntilDone(engine).last!
            let counter = try await engine.store.allocateServerCounters(1).lowerBound
            try await engine.store.recordBackup(through: seen.appliedThrough, at: Fixture.now)

            let epoch = try await engine.store.markRestored()
            let mark = try await engine.store.recoveryMark()
            #expect(epoch != RecoveryMark.firstEpoch && epoch != 0 && mark.epoch == epoch)
            #expect(mark.backedUpThrough == 0, "the backups after the restored one hold another history")
            #expect(try await engine.store.allocateServerCounters(1).lowerBound > counter + RecoveryMark.serverCounterJump,
                    "the server's own dots are never given twice")

            // The device names the epoch it saw: its batch waits, every village starts over from 0.
            let house = Fixture.key(Fixture.household(in: Self.a))
            var request = device.request([device.set(house, "phone", .text("13700000012"))])
            request.serverEpoch = seen.serverEpoch
            let before = try await engine.store.stateHash()
            let answer = try await engine.sync(request, device: device.context, now: Fixture.now)
            #expect(answer.acked.isEmpty && answer.rejections.isEmpty, "the batch is neither acknowledged nor refused")
            #expect(answer.serverEpoch == epoch && answer.rebootstrapVillages == [Self.a])
            #expect(!answer.page.isEmpty, "the page starts from position 0, though the device had pulled everything")
            #expect(try await engine.store.stateHash() == before, "nothing of the waiting batch was written")
            request.serverEpoch = epoch
            #expect(try await engine.sync(request, device: device.context, now: Fixture.now).acked.count == 1, "sent again in the new epoch, it is applied")
        }
    }

    @Test func sqliteBacksUpWhilePushesCommitAndTheCopyIsWholeAndVerified() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteSyncStore(path: directory.appendingPathComponent("server.sqlite").path)
        let engine = SyncEngine(store: store, configuration: .init(serverReplica: Fixture.serverReplica))
        try await Fixture.seed(engine, Self.a)
        var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xB3)
        try await device.syncUntilDone(engine)
        let houses = Fixture.households(in: Self.a)
        let changes = (0..<40).map { i in device.set(Fixture.key(houses[i % houses.count]), "phone", .text("1370000\(String(format: "%04d", i))")) }
        let context = device.context, replica = device.replica
        // Forty pushes of one change each commit while the backup copies.
        let pushes = Task {
            var acked = 0
            for change in changes {
                let request = SyncRequest(replica: replica, appVersion: "test", cursors: [:], changes: [change], health: DeviceHealth(),
                                          pageLimit: 1, deviceTimeMilliseconds: Fixture.now)
                acked += try await engine.sync(request, device: context, now: Fixture.now).acked.count
            }
            return acked
        }
        let path = directory.appendingPathComponent("backup.sqlite").path
        let report = try await store.backup(to: path, now: Fixture.now + 5)
        #expect(try await pushes.value == changes.count)

        let verified = try SQLiteSyncStore.verifyBackup(at: path)
        #expect(verified.records == report.records && verified.throughSequence == report.throughSequence && report.records > 0)
        let live = try await store.recoveryMark()
        #expect(live.backedUpThrough == report.throughSequence && live.backedUpAtMilliseconds == Fixture.now + 5)
        #expect(live.lastSequence >= report.throughSequence)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"), "the copy took its name only once verified")

        // The copy is the database as of one commit: opened as a store, it holds every change
        // up to its sequence and nothing after it.
        try FileManager.default.copyItem(atPath: directory.appendingPathComponent("server.sqlite.keys").path, toPath: path + ".keys")
        let copy = try SQLiteSyncStore(path: path)
        let page = try await copy.pull([Self.a: 0], limit: 1_000_000)
        #expect(page.sequences.allSatisfy { $0 <= report.throughSequence } && page.watermark == report.throughSequence)
        let audited = try await copy.auditEntries(replica: replica, limit: 1_000).count
        let applied = try await store.auditEntries(replica: replica, limit: 1_000).count
        #expect(audited <= applied && applied == changes.count)
        try await copy.close()

        await #expect(throws: SyncEngineError.self, "an existing file is never overwritten") { _ = try await store.backup(to: path, now: Fixture.now) }
        try await store.close()
    }
}
