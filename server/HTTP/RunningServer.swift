import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A `DoorstepServer` listening on a real socket, for tests, the simulator and embedding:
/// started on a port (0 picks a free one), stopped gracefully (in-flight requests finish).
///
///     let running = try await RunningServer.start(server, host: "127.0.0.1", port: 0)
///     … HTTPTransport(server: running.url, token: token) …
///     await running.stop()
public final class RunningServer: Sendable {
    public let url: URL
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(url: URL, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.url = url
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts `server`; over HTTPS when `tls` is given (the URL's scheme says which).
    public static func start(_ server: DoorstepServer, host: String = "127.0.0.1", port: Int = 0, tls: TLSConfiguration? = nil,
                             logger: Logger = Logger(label: "doorstep-server", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> RunningServer {
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = try server.application(address: .hostname(host, port: port), tls: tls, logger: logger, onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? port)
            continuation.finish()
        })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        // Finished when the group ends too, so a server that fails before it listens (a bad TLS
        // key, a port taken) is reported below instead of awaited forever.
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next() else {
            task.cancel()
            let reason: String
            do { try await task.value; reason = "it stopped at once" } catch { reason = "\(error)" }
            throw APIError(.internalServerError, "not_started", "the server on \(host):\(port) did not start: \(reason)")
        }
        return RunningServer(url: URL(string: "\(tls == nil ? "http" : "https")://\(host):\(actual)")!, port: actual, group: group, task: task)
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the end.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
