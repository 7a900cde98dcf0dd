import Hummingbird
import Logging
import ServerDirectory
import ServerEngine
import ServerHTTP

/// A server as `buildApplication` assembled it, not yet running: `run()` serves until a
/// signal (the `serve` command), `start()` serves in the background (tests, the embedded
/// server, the simulator over HTTP).
public struct DoorstepApplication: Sendable {
    public let configuration: ServerConfiguration
    public let store: any ServerStore
    /// The HTTP API over the engine and the directory.
    public let server: DoorstepServer
    /// What the retention service runs every `retention.intervalHours`.
    public let retention: Retention
    /// The administrator token, when this start created it (the store's first start); it is
    /// also in `<dataDirectory>/admin.token`.
    public let administratorToken: String?
    let application: Application<RouterResponder<BasicRequestContext>>
    /// Yields the bound port once the server listens; finishes if it stops before.
    let listening: AsyncStream<Int>
    let announce: AsyncStream<Int>.Continuation
    /// Whether `buildApplication` opened the store (and so closes it at the end).
    let ownsStore: Bool
    let logger: Logger

    public var engine: SyncEngine { server.engine }
    public var access: AccessControl { server.access }

    /// Serves until SIGTERM or SIGINT; in-flight requests finish, then the store closes.
    public func run() async throws {
        do {
            try await application.runService()
        } catch {
            await close()
            throw error
        }
        await close()
        logger.notice("stopped; every acknowledged change is on disk")
    }

    /// Starts serving in the background; returns once the socket listens.
    public func start() async throws -> RunningServer {
        try await RunningServer.start(self)
    }

    func close() async {
        announce.finish()
        if ownsStore { try? await store.close() }
    }
}

extension Logger {
    /// Drops everything: for a server inside another program whose output is its own (the
    /// tests, the simulator, the load simulator's embedded server).
    public static let silent = Logger(label: "doorstep-server", factory: { _ in SwiftLogNoOpLogHandler() })
}
