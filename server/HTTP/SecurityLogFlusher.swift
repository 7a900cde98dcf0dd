import Logging
import ServerDirectory
import ServiceLifecycle

/// Writes the security log's tallied refusals (`SecurityLogCoalescer`) once their minute is
/// over, every `period`, and everything left at shutdown: a `Service` of the server's
/// application, so it starts and stops with it.
public struct SecurityLogFlusher: Service {
    let access: AccessControl
    let clock: @Sendable () -> Int64
    let period: Duration
    let logger: Logger

    public init(access: AccessControl, clock: @escaping @Sendable () -> Int64, period: Duration = .seconds(10),
                logger: Logger = Logger(label: "doorstep.security-log")) {
        self.access = access
        self.clock = clock
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        // Sleeps until the period ends or shutdown begins; flushes what is due either way.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
            await flush(everything: Task.isCancelled || Task.isShuttingDownGracefully)
        }
        await flush(everything: true)
    }

    func flush(everything: Bool) async {
        do { try await access.flushSecurityLog(now: everything ? nil : clock()) } catch {
            logger.error("security log not written", metadata: ["error": "\(error)", "pending": "\(access.refusals.pending)"])
        }
    }
}
