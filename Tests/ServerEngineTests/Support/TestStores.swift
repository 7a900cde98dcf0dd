import Foundation
import ServerEngine
import ServerPostgres
import ServerSQLite
import TestSupport
import Testing

/// A storage backend the suites run against. Add PostgreSQL here and every suite runs on it.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    let name: String
    /// Opens a fresh, empty store whose files live in `directory`.
    let open: @Sendable (_ directory: URL) async throws -> any SyncStore

    var testDescription: String { name }

    static let sqlite = StoreBackend(name: "SQLite") { directory in
        try SQLiteSyncStore(path: directory.appendingPathComponent("server.sqlite").path)
    }

    /// A fresh schema of the test cluster per store (`DOORSTEP_TEST_POSTGRES_URL`, which
    /// `scripts/test.sh` sets after starting a throwaway PostgreSQL).
    static let postgres = StoreBackend(name: "PostgreSQL") { _ in
        try await PostgresSyncStore.open(try TestPostgres.freshLocation())
    }

    static let all: [StoreBackend] = TestPostgres.runs ? [.sqlite, .postgres] : [.sqlite]
}

/// Runs `body` with a fresh store in a temporary directory, then closes and removes it.
func withStore<T>(_ backend: StoreBackend, _ body: (any SyncStore) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try await backend.open(directory)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// Runs `body` with an engine over a fresh store.
func withEngine<T>(_ backend: StoreBackend, configure: (inout SyncEngine.Configuration) -> Void = { _ in },
                   _ body: (SyncEngine) async throws -> T) async throws -> T {
    try await withStore(backend) { store in
        var configuration = SyncEngine.Configuration(serverReplica: Fixture.serverReplica)
        configure(&configuration)
        return try await body(SyncEngine(store: store, configuration: configuration))
    }
}
