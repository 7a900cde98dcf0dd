import Foundation
import Hummingbird
import ServiceLifecycle

/// A `DoorstepApplication` serving in the background on a real socket, for tests, the
/// embedded server and the simulator: started on its configured port (0 picks a free one),
/// stopped gracefully (in-flight requests finish, then the store closes if the application
/// opened it).
///
///     let running = try await buildApplication(configuration).start()
///     … HTTPTransport(server: running.url, token: token) …
///     await running.stop()
public final class RunningServer: Sendable {
    public let url: URL
    public let port: Int
    public let application: DoorstepApplication
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(url: URL, port: Int, application: DoorstepApplication, group: ServiceGroup, task: Task<Void, any Error>) {
        self.url = url
        self.port = port
        self.application = application
        self.group = group
        self.task = task
    }

    static func start(_ application: DoorstepApplication) async throws -> RunningServer {
        let group = ServiceGroup(configuration: .init(services: [application.application], gracefulShutdownSignals: [], logger: application.logger))
        let task = Task {
            defer { application.announce.finish() }
            try await group.run()
        }
        var listening = application.listening.makeAsyncIterator()
        let host = application.configuration.host
        guard let port = await listening.next() else {
            let failure: String
            do { try await task.value; failure = "it stopped" } catch { failure = "\(error)" }
            await application.close()
            throw ServerAppError(.notStarted, "the server on \(host):\(application.configuration.port) did not start: \(failure)")
        }
        return RunningServer(url: URL(string: "http://\(host):\(port)")!, port: port, application: application, group: group, task: task)
    }

    /// Stops accepting connections, lets in-flight requests finish, waits for the end, and
    /// closes the store if the application opened it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await application.close()
    }
}
