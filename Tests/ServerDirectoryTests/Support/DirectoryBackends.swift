import Foundation
import GRDB
import ServerDirectory
import ServerEngine
import ServerPostgres
import ServerSQLite
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

    static let postgresURL = ProcessInfo.processInfo.environment["DOORSTEP_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let postgres = DirectoryBackend(name: "PostgreSQL") {
        let base = postgresURL!
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let store = try await PostgresSyncStore.open(try PostgresLocation(url: base).withSchema(String(schema)))
        return Opened(store: store, execute: { sql in try runPSQL(base, "SET search_path TO \(schema); \(sql)") }, cleanUp: {})
    }

    static let all: [DirectoryBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
}

/// `psql` with the statement, failing on its first error.
func runPSQL(_ url: String, _ sql: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PSQLFailed(status: process.terminationStatus, sql: sql) }
}

struct PSQLFailed: Error {
    let status: Int32
    let sql: String
}
