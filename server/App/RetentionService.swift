import ServiceLifecycle

/// Runs the retention at start and then every `interval`, until the server shuts down: a
/// service of the application, so `serve` runs it and a graceful shutdown ends it between passes.
struct RetentionService: Service {
    let retention: Retention
    let interval: Duration
    let clock: @Sendable () -> Int64

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await retention.runRecorded(now: clock())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
