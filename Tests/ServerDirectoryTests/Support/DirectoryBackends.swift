import Foundation
import GRDB
import Logging
import PostgresNIO
import ServerDirectory
import ServerEngine
@testable import ServerPostgres
import ServerSQLite
import TestSupport
import Testing

/// A directory backend the suite runs against: SQLite always, PostgreSQL when the tests have one
/// (`DOORSTEP_TEST_POSTGRES_URL`, set by scripts/test.sh).
struct DirectoryBackend: Sendable, CustomTestStringConvertible {
    let name: String
    let open: @Sendable () async throws -> Opened

    var testDescription: String { name }

    /// An open store, a way to run raw SQL on it behind its back (to try what it must refuse),
    /// and how to close it.
    struct Opened: Sendable {
        let store: any DirectoryStore & SyncStore
        let execute: @Sendable (String) async throws -> Void
        let cleanUp: @Sendable () -> Void

        func close() async throws {
            try await store.close()
            cleanUp()
        }
    }

    static let sqlite = DirectoryBackend(name: "SQLite") {
        let path = NSTemporaryDirectory() + "doorstep-dir-\(UUID().uuidString).sqlite"
        return Opened(store: try SQLiteSyncStore(path: path),
                      execute: { sql in try DatabaseQueue(path: path).write { try $0.execute(sql: sql) } },
                      cleanUp: { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } })
    }

    static let postgres = DirectoryBackend(name: "PostgreSQL") {
        let location = try TestPostgres.freshLocation()
        let store = try await PostgresSyncStore.open(location)
        return Opened(store: store, execute: { sql in try await executeBehindTheStore(location, sql) }, cleanUp: {})
    }

    static let all: [DirectoryBackend] = TestPostgres.runs ? [.sqlite, .postgres] : [.sqlite]
}

/// Runs `sql` in the store's schema on a connection of its own, beside the store's pool: what
/// the store must refuse, tried behind its back. A connection, not a `psql` process: a child
/// process waited for here would park one of the few threads the test process's tasks share.
func executeBehindTheStore(_ location: PostgresLocation, _ sql: String) async throws {
    let logger = Logger(label: "doorstep.tests.behind-the-store")
    let connection = try await PostgresConnection.connect(configuration: location.probeConfiguration, id: 1, logger: logger)
    do {
        try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(location.schema)"), logger: logger).collect()
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
    } catch {
        try? await connection.close()
        throw error
    }
    try await connection.close()
}
