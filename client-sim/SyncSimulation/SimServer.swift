import Foundation
import ServerApp
import ServerEngine
import ServerSQLite
import SyncCore
import Synchronization

/// The simulated server: a real `SyncEngine` over a real SQLite file, which a step may restart
/// (close and reopen on the same file, losing nothing committed).
public final class SimServer: Sendable {
    public let path: String
    public let configuration: SyncEngine.Configuration
    private let engine: Mutex<SyncEngine>

    public init(path: String, configuration: SyncEngine.Configuration) throws {
        self.path = path
        self.configuration = configuration
        engine = Mutex(SyncEngine(store: try SQLiteSyncStore(path: path), configuration: configuration))
    }

    public var current: SyncEngine { engine.withLock { $0 } }

    /// The retention pass a server runs, over the current engine, archiving beside the file.
    public func retention() throws -> Retention {
        let engine = current
        guard let store = engine.store as? SQLiteSyncStore else { throw SimulationError(.setup, "the simulated server's store is not SQLite") }
        return Retention(engine: engine, store: store, policy: RetentionPolicy(),
                         archiveDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("archive").path)
    }

    public func restart() async throws {
        try await current.store.close()
        let fresh = SyncEngine(store: try SQLiteSyncStore(path: path), configuration: configuration)
        engine.withLock { $0 = fresh }
    }

    public func close() async throws { try await current.store.close() }
}
