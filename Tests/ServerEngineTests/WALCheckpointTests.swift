import Foundation
import ServerEngine
import ServerSQLite
import Testing

/// The SQLite store's WAL is copied into the database file by a connection of its own
/// (`WALCheckpointer`), not by the commit that happens to take it past SQLite's 1,000 pages.
@Suite("WAL checkpoints")
struct WALCheckpointTests {
    @Test("a small commit reaches the database file itself within seconds, though its WAL is far below SQLite's own checkpoint")
    func commitsReachTheFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("server.sqlite").path
        let store = try SQLiteSyncStore(path: path)
        let engine = SyncEngine(store: store, configuration: .init(serverReplica: Fixture.serverReplica))
        let created = try await Fixture.seed(engine, Fixture.villageA)
        let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walBytes < 1_000 * 4_096, "the import alone would not make SQLite checkpoint (\(walBytes) bytes of WAL)")

        // A copy of the database file without its WAL holds what the checkpoints copied into it.
        var held = 0
        for attempt in 0..<50 where held != created {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(200)) }
            let copy = directory.appendingPathComponent("copy-\(attempt).sqlite").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + ".keys", toPath: copy + ".keys")
            // A copy taken during a checkpoint may be torn: the next attempt takes another.
            guard let copied = try? SQLiteSyncStore(path: copy) else { continue }
            held = (try? await copied.recordCount(villages: [Fixture.villageA])) ?? 0
            try await copied.close()
        }
        #expect(held == created, "the database file alone holds \(held) of the \(created) records committed")

        try await store.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "closing checkpoints the rest and removes the WAL")
    }
}
