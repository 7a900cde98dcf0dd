import Foundation
import ServerApp
import ServerHTTP

/// The server a run starts itself when given none: SQLite in the run directory, on a free
/// loopback port, with enrolment opened for a fleet enrolling at once.
struct EmbeddedServer {
    let running: RunningServer
    let adminToken: String

    /// `timeScale`: the run's network delays as a share of real ones; a phone's uploads come that
    /// much faster than a real link's, so its upload budget is that much larger.
    static func start(in directory: String, timeScale: Double) async throws -> EmbeddedServer {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        configuration.limits.enrolmentBurst = 100_000
        configuration.limits.enrolmentsPerSecond = 10_000
        configuration.limits.uploadBytesPerSecond = Self.uploadBytesPerSecond(timeScale: timeScale)
        let running = try await buildApplication(configuration, logger: .silent).start()
        guard let token = running.application.administratorToken else {
            await running.stop()
            throw LoadError(.server, "\(directory) holds a server already bootstrapped; give the run a fresh directory")
        }
        return EmbeddedServer(running: running, adminToken: token)
    }

    /// The default upload rate divided by the time scale (unlimited at 0): what a phone's budget
    /// is in the run's faster time.
    static func uploadBytesPerSecond(timeScale: Double) -> Double {
        let standard = ServerLimits().uploadBytesPerSecond
        return timeScale > 0 ? standard / min(timeScale, 1) : standard * 1_000_000
    }

    func stop() async {
        await running.stop()
    }
}
