/// A value built at most once per `lifetime`, however often it is asked for; concurrent askers
/// of a stale value wait for one build, not one each.
///
/// `/metrics` serves the store's figures through one (`SyncMetrics.SharedFigures`): building
/// them reads every worker, device status and waiting conflict — O(devices + villages +
/// conflicts waiting) — so the store sees at most one build per lifetime per instance whatever
/// the scrape rate, and a scrape in between costs only rendering the registry.
actor TimedCache<Value: Sendable> {
    let lifetimeMilliseconds: Int64
    private var cached: (value: Value, builtAt: Int64)?
    private var building: Task<Value, any Error>?

    init(lifetimeMilliseconds: Int64) { self.lifetimeMilliseconds = lifetimeMilliseconds }

    func value(now: Int64, build: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let cached, now - cached.builtAt < lifetimeMilliseconds { return cached.value }
        if let building { return try await building.value }
        let task = Task { try await build() }
        building = task
        defer { building = nil }
        let value = try await task.value
        cached = (value, now)
        return value
    }
}
