import DataProtection
import FieldModel
import Foundation
import ServerEngine
import ServerPostgres
import ServerSQLite
import SyntheticData
import TestSupport

/// Files as a device would attach them.
enum AttachmentFixture {
    /// `count` random bytes that start as a JPEG does.
    static func jpeg(_ count: Int, _ random: inout SeededGenerator) -> [UInt8] {
        AttachmentContentType.jpeg.signature + (0..<(count - 3)).map { _ in UInt8.random(in: .min ... .max, using: &random) }
    }

    /// A JPEG-like file of `count` bytes from `seed`, with the name and size its record states.
    static func jpeg(_ count: Int, seed: UInt64) -> (bytes: [UInt8], sha256: String, size: Int64) {
        var random = SeededGenerator(seed: seed)
        let bytes = jpeg(count, &random)
        return (bytes, ContentHash.sha256(bytes), Int64(count))
    }

    /// Uploads `bytes` whole in chunks of `chunk` bytes; the last outcome.
    @discardableResult
    static func upload(_ bytes: [UInt8], to store: any AttachmentStore, chunk: Int = 64 << 10) async throws -> AppendOutcome {
        let sha256 = ContentHash.sha256(bytes)
        var outcome = AppendOutcome.held(0)
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            outcome = try await store.appendBytes(sha256: sha256, byteCount: Int64(bytes.count), offset: Int64(start),
                                                  chunk: Array(bytes[start..<min(start + chunk, bytes.count)]))
        }
        return outcome
    }

    /// The attachment record of `bytes` for `household`, as a field worker takes it.
    static func record(_ n: UInt64, of bytes: [UInt8], household: Household) -> Attachment {
        Attachment(id: Fixture.freshID(n), village: household.village, householdID: household.id, kind: .homePhoto,
                   contentType: .jpeg, byteCount: Int64(bytes.count), sha256: ContentHash.sha256(bytes), takenOn: Fixture.today)
    }
}

extension StoreBackend {
    /// Opens the same store again and again (the same SQLite file, the same PostgreSQL schema),
    /// as a server restarting does.
    func reopenable(in directory: URL) throws -> @Sendable () async throws -> any SyncStore {
        if name == StoreBackend.postgres.name {
            let location = try TestPostgres.freshLocation()
            return { try await PostgresSyncStore.open(location, keys: TestKeys.ring) }
        }
        let path = directory.appendingPathComponent("server.sqlite").path
        return { try SQLiteSyncStore(path: path, keys: TestKeys.ring) }
    }
}

/// Runs `body` with the attachment bytes of a fresh store (`withStore`).
func withAttachmentStore<T>(_ backend: StoreBackend, _ body: (any AttachmentStore) async throws -> T) async throws -> T {
    try await withStore(backend) { store in try await body(try store.attachments) }
}

extension SyncStore {
    /// This store's attachment bytes: every backend keeps them.
    var attachments: any AttachmentStore {
        get throws {
            guard let store = self as? any AttachmentStore else { throw TestFailure("\(type(of: self)) keeps no attachment bytes") }
            return store
        }
    }
}
