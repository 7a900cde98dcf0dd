import Logging
import ServiceLifecycle

/// Takes the regions' device-health snapshot (`DoorstepServer.snapshotHealth`) at each whole
/// `period` (an hour) of the server's clock, until the server shuts down: a service of the
/// server's application. None at start, so a restart never races a snapshot someone else takes
/// in the same hour; one that fails is logged and the next one tried in time.
public struct HealthSnapshotService: Service {
    let snapshot: @Sendable (Int64) async throws -> Void
    let clock: @Sendable () -> Int64
    let period: Duration
    let logger: Logger

    public init(period: Duration = .seconds(3_600), clock: @escaping @Sendable () -> Int64, logger: Logger = Logger(label: "doorstep.health-snapshot"),
                snapshot: @escaping @Sendable (Int64) async throws -> Void) {
        self.snapshot = snapshot
        self.clock = clock
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        let periodMilliseconds = max(1, period.components.seconds * 1_000 + period.components.attoseconds / 1_000_000_000_000_000)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let wait = periodMilliseconds - clock() % periodMilliseconds
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(wait)) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
            let now = clock()
            do { try await snapshot(now) } catch {
                logger.error("device health not snapshot", metadata: ["at": "\(now)", "error": "\(error)"])
            }
        }
    }
}
