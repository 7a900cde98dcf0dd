import Foundation
import Hummingbird
import Logging
import ServerDirectory
import ServerEngine
import ServerHTTP

/// Builds the server from its configuration: the one assembly, which `doorstep-server serve`,
/// the load simulator's embedded server, the tests and the fault simulation all call, so what
/// they run is what production runs (metrics, limits, thresholds, faults included).
///
///     let app = try await buildApplication(configuration)
///     try await app.run()                                   // serve: until SIGTERM or SIGINT
///
///     let running = try await buildApplication(configuration).start()   // a test: port 0
///     … HTTPTransport(server: running.url, token: token) …
///     await running.stop()
///
/// It opens the store the configuration names (creating the data directory), unless `store`
/// is given (the simulator's, which it restarts itself): then the caller keeps and closes it.
/// On a store's first start it creates the administrator and writes the token to
/// `<dataDirectory>/admin.token` (mode 600). `clock` is the server's clock in ms since the
/// epoch; tests and the simulator pass a controlled one.
public func buildApplication(_ configuration: ServerConfiguration, store given: (any ServerStore)? = nil,
                             clock: @escaping @Sendable () -> Int64 = DoorstepServer.systemClock,
                             logger base: Logger = Logger(label: "doorstep-server")) async throws -> DoorstepApplication {
    try configuration.validate()
    let logger = {
        var logger = base
        logger.logLevel = configuration.logLevel
        return logger
    }()
    let directory = configuration.dataDirectory
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
        throw ServerAppError(.dataDirectory, "the data directory \(directory) cannot be created: \(error.localizedDescription)")
    }
    let store: any ServerStore
    if let given { store = given } else { store = try await configuration.database.open(dataDirectory: directory, logger: logger) }
    do {
        let engine = SyncEngine(store: store, configuration: configuration.engine)
        let access = AccessControl(store: store, serverReplica: configuration.engine.serverReplica)
        let token = try await access.bootstrap(now: clock())
        if let token {
            let path = directory + "/admin.token"
            guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ServerAppError(.dataDirectory, "the administrator token cannot be written to \(path)")
            }
            logger.notice("first start: administrator token written", metadata: ["file": "\(path)", "worker": "admin"])
        }
        ProcessMetrics.bootstrap()
        let metrics = SyncMetrics(process: { ProcessMetrics.exposition() })
        var server = DoorstepServer(engine: engine, access: access, ops: store, metrics: metrics, thresholds: configuration.thresholds,
                                    limits: configuration.limits, clock: clock)
        server.faults = configuration.faults
        if server.faults.isOn {
            logger.warning("fault injection is on: the crash tests' setting, never for production",
                           metadata: ["crash_after_commit": "\(server.faults.crashAfterCommitProbability)"])
        }
        let retention = Retention(engine: engine, store: store, policy: configuration.retention,
                                  archiveDirectory: configuration.archiveDirectory, metrics: metrics, logger: logger)
        let services = configuration.retention.intervalHours.map {
            [RetentionService(retention: retention, interval: .milliseconds(Int64($0 * 3_600_000)), clock: clock)]
        } ?? []
        let (listening, announce) = AsyncStream<Int>.makeStream()
        let host = configuration.host
        let application = Application(
            router: server.router(),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "doorstep"),
            services: server.services + services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.notice("listening", metadata: ["host": "\(host)", "port": "\(port)", "data": "\(directory)"])
                announce.yield(port)
            },
            logger: logger)
        return DoorstepApplication(configuration: configuration, store: store, server: server, retention: retention, administratorToken: token,
                                   application: application, listening: listening, announce: announce, ownsStore: given == nil, logger: logger)
    } catch {
        if given == nil { try? await store.close() }
        throw error
    }
}
