import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerSQLite

/// The server a run starts itself when given none: SQLite in the run directory, on a free
/// loopback port, with limits opened for a fleet enrolling at once.
struct EmbeddedServer {
    let running: RunningServer
    let store: SQLiteSyncStore
    let adminToken: String

    static func start(in directory: String) async throws -> EmbeddedServer {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try SQLiteSyncStore(path: directory + "/server.sqlite")
        let engine = SyncEngine(store: store, configuration: .init(serverReplica: ServerDefaults.serverReplica))
        let access = AccessControl(store: store, serverReplica: ServerDefaults.serverReplica)
        guard let token = try await access.bootstrap(now: DoorstepServer.systemClock()) else {
            throw LoadError("\(directory) holds a server already bootstrapped; give the run a fresh directory")
        }
        var limits = ServerLimits()
        limits.enrolmentBurst = 100_000
        limits.enrolmentsPerSecond = 10_000
        let running = try await RunningServer.start(DoorstepServer(engine: engine, access: access, ops: store, limits: limits))
        return EmbeddedServer(running: running, store: store, adminToken: token)
    }

    func stop() async {
        await running.stop()
        try? await store.close()
    }
}
