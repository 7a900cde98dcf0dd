import FieldModel
import Foundation
import Logging
import ServerHTTP
import ServerOps
import ServerSQLite
import ServiceLifecycle
import Testing

/// The sync history is written in batches off the exchanges' path, and never lost by a reader
/// or a graceful stop.
@Suite("Sync history writer")
struct SyncHistoryWriterTests {
    static func record(_ device: String, at ms: Int64) -> SyncRecord {
        SyncRecord(deviceID: device, worker: WorkerID(unchecked: "w"), atMilliseconds: ms, durationMilliseconds: 3, pushed: 1, rejected: 0,
                   pulled: 2, bytesIn: 10, bytesOut: 20, result: "ok", reason: nil, health: nil, overBudget: false)
    }

    static func withStore(_ body: (SQLiteSyncStore) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "doorstep-history-\(UUID().uuidString).sqlite"
        let store = try SQLiteSyncStore(path: path)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await body(store)
        try await store.close()
    }

    @Test("rows wait in the buffer until a batch is written; a read through the writer writes them first")
    func buffered() async throws {
        try await Self.withStore { store in
            let writer = SyncHistoryWriter(store, interval: .seconds(3_600))
            for i in 0..<5 { try await writer.recordSyncs([Self.record("d1", at: Int64(i))]) }
            #expect(try await store.syncHistory(device: "d1", limit: 10).isEmpty, "nothing written per exchange")
            #expect(try await writer.syncHistory(device: "d1", limit: 10).map(\.atMilliseconds) == [4, 3, 2, 1, 0])
            #expect(try await store.deviceStatuses().map(\.lastSyncMilliseconds) == [4])
        }
    }

    @Test("a full buffer is written at once")
    func full() async throws {
        try await Self.withStore { store in
            let writer = SyncHistoryWriter(store, interval: .seconds(3_600), maxBuffered: 4)
            for i in 0..<4 { try await writer.recordSyncs([Self.record("d2", at: Int64(i))]) }
            #expect(try await store.syncHistory(device: "d2", limit: 10).count == 4)
        }
    }

    @Test("as a service: written each interval, and what is left at a graceful stop; after it, rows go straight through")
    func service() async throws {
        try await Self.withStore { store in
            let writer = SyncHistoryWriter(store, interval: .milliseconds(50))
            let group = ServiceGroup(configuration: .init(services: [writer], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let running = Task { try await group.run() }
            try await writer.recordSyncs([Self.record("d3", at: 1)])
            var written = 0
            for _ in 0..<100 where written == 0 {
                try await Task.sleep(for: .milliseconds(20))
                written = try await store.syncHistory(device: "d3", limit: 10).count
            }
            #expect(written == 1, "the interval wrote the buffer without a reader")
            try await writer.recordSyncs([Self.record("d3", at: 2)])
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(try await store.syncHistory(device: "d3", limit: 10).count == 2, "the stop wrote what was left")
            try await writer.recordSyncs([Self.record("d3", at: 3)])
            #expect(try await store.syncHistory(device: "d3", limit: 10).count == 3, "after the stop, rows are written as they come")
        }
    }
}
