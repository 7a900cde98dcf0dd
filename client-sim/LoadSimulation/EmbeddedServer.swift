import Foundation
import ServerApp

/// The server a run starts itself when given none: SQLite in the run directory, on a free
/// loopback port, with enrolment opened for a fleet enrolling at once.
struct EmbeddedServer {
    let running: RunningServer
    let adminToken: String

    static func start(in directory: String) async throws -> EmbeddedServer {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        configuration.limits.enrolmentBurst = 100_000
        configuration.limits.enrolmentsPerSecond = 10_000
        // The run's network time is scaled down, its requests are not: a phone's photo upload
        // that a real 4G link spreads over minutes comes in seconds, which a real phone's
        // request budget would cut off.
        configuration.limits.deviceBurst = 100_000
        configuration.limits.deviceRequestsPerSecond = 10_000
        let running = try await buildApplication(configuration, logger: .silent).start()
        guard let token = running.application.administratorToken else {
            await running.stop()
            throw LoadError(.server, "\(directory) holds a server already bootstrapped; give the run a fresh directory")
        }
        return EmbeddedServer(running: running, adminToken: token)
    }

    func stop() async {
        await running.stop()
    }
}
