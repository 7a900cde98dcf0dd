import DataProtection
import Foundation
import ServerEngine
import ServerSQLite
import SyntheticData
import Testing

/// The SQLite store's backup takes the complete attachment files along, and a restore brings
/// them back beside the database, each checked against its hash.
@Suite("Attachment backup")
struct AttachmentBackupTests {
    @Test func sqliteBackupCarriesCompleteFilesAndRestoreBringsThemBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-attachment-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededGenerator(seed: 23)
        let whole = AttachmentFixture.jpeg(80_000, &random), begun = AttachmentFixture.jpeg(80_000, &random)

        let store = try SQLiteSyncStore(path: directory.appendingPathComponent("server.sqlite").path, keys: TestKeys.ring)
        #expect(try await AttachmentFixture.upload(whole, to: store) == .completed)
        #expect(try await store.appendBytes(sha256: ContentHash.sha256(begun), byteCount: 80_000, offset: 0, chunk: Array(begun[..<5_000])) == .held(5_000))
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let report = try await store.backup(to: backup, now: Fixture.now)
        #expect(report.attachmentFiles == 1, "the complete file, not the unfinished upload")
        #expect(try SQLiteSyncStore.verifyBackup(at: backup).attachmentFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: backup + ".attachments.partial"))
        await #expect(throws: SyncEngineError.self, "an existing attachments directory is never overwritten") {
            try FileManager.default.removeItem(atPath: backup)
            _ = try await store.backup(to: backup, now: Fixture.now)
        }
        try await store.close()

        // Restored into a new data directory: the database file, then its attachment files.
        let restored = directory.appendingPathComponent("restored/server.sqlite").path
        try FileManager.default.createDirectory(atPath: (restored as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory.appendingPathComponent("server.sqlite").path, toPath: restored)
        #expect(try SQLiteSyncStore.restoreAttachments(fromBackup: backup, toDatabase: restored) == 1)
        #expect(try SQLiteSyncStore.restoreAttachments(fromBackup: backup, toDatabase: restored) == 0, "files already there stay")
        let reopened = try SQLiteSyncStore(path: restored, keys: TestKeys.ring)
        #expect(reopened.attachmentDirectory == (restored as NSString).deletingLastPathComponent + "/attachments")
        #expect(try await reopened.heldBytes(sha256: ContentHash.sha256(whole)) == .complete(80_000))
        #expect(try await reopened.readBytes(sha256: ContentHash.sha256(whole), range: 0..<80_000) == whole)
        #expect(try await reopened.heldBytes(sha256: ContentHash.sha256(begun)) == HeldBytes.none)
        try await reopened.close()
    }

    @Test func aRestoreRefusesABackedUpFileWhoseBytesNoLongerMatchItsName() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-attachment-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededGenerator(seed: 29)
        let whole = AttachmentFixture.jpeg(10_000, &random)
        let sha256 = ContentHash.sha256(whole)
        let store = try SQLiteSyncStore(path: directory.appendingPathComponent("server.sqlite").path, keys: TestKeys.ring)
        try await AttachmentFixture.upload(whole, to: store)
        let backup = directory.appendingPathComponent("backup.sqlite").path
        _ = try await store.backup(to: backup, now: Fixture.now)
        try await store.close()

        let copy = backup + ".attachments/" + sha256.prefix(2) + "/" + sha256
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        bytes[5_000] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        let restored = directory.appendingPathComponent("restored/server.sqlite").path
        #expect(throws: SyncEngineError.self) { try SQLiteSyncStore.restoreAttachments(fromBackup: backup, toDatabase: restored) }
        let target = (restored as NSString).deletingLastPathComponent + "/attachments/" + sha256.prefix(2) + "/" + sha256
        #expect(!FileManager.default.fileExists(atPath: target) && !FileManager.default.fileExists(atPath: target + ".copy"))
    }
}
