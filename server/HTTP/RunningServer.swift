import Foundation
import Hummingbird
import Logging
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

    public static func start(_ server: DoorstepServer, host: String = "127.0.0.1", port: Int = 0,
                             logger: Logger = Logger(label: "doorstep-server", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> RunningServer {
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: server.router(), configuration: .init(address: .hostname(host, port: port), serverName: "doorstep"),
                              services: server.services,
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? port)
                                  continuation.finish()
                              }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = bound.makeAsyncIterator()
        guard let actual = await iterator.next() else {
            task.cancel()
            throw APIError(.internalServerError, "not_started", "the server on \(host):\(port) did not start: \(String(describing: try? await task.value))")
        }
        return RunningServer(url: URL(string: "http://\(host):\(actual)")!, port: actual, group: group, task: task)
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the end.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
