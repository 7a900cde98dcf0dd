import Foundation
import ServerApp
import ServerPostgres
import Synchronization
import TestSupport
import Testing

/// A backend the retention runs on: SQLite always, PostgreSQL when the tests have one.
struct Backend: Sendable, CustomTestStringConvertible {
    let name: String
    let database: @Sendable () throws -> DatabaseLocation

    var testDescription: String { name }

    static let sqlite = Backend(name: "SQLite") { .sqlite }
    /// A fresh schema of the test cluster.
    static let postgres = Backend(name: "PostgreSQL") { .postgres(try TestPostgres.freshLocation(prefix: "r_")) }

    static let all: [Backend] = TestPostgres.runs ? [.sqlite, .postgres] : [.sqlite]
}

/// The server's clock in a test, moved by the test.
final class ManualClock: Sendable {
    private let ms: Mutex<Int64>
    init(_ start: Int64) { ms = Mutex(start) }
    var now: Int64 { ms.withLock { $0 } }
    func set(_ value: Int64) { ms.withLock { $0 = value } }
}

/// A fresh scratch directory, removed by `defer`.
func scratch(_ name: String) -> String {
    NSTemporaryDirectory() + "doorstep-\(name)-\(UUID().uuidString.prefix(8))"
}

let day: Int64 = 86_400_000
