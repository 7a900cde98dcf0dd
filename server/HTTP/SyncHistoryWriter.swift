import Logging
import ServerOps
import ServiceLifecycle
import Synchronization

/// Writes the sync history in batches, off the exchanges' path: an exchange adds its row to a
/// buffer, and the buffer goes to the store in one transaction each `interval` (while `run()`
/// runs as a service of the server), or at once when it holds `maxBuffered` rows. Every read of
/// the history through it writes what is buffered first, so ops and tests read their own writes.
///
/// What a crash costs: the rows buffered since the last write, at most `interval` of history;
/// never a record, an acknowledgement or an audit entry (those commit with their push). After a
/// graceful stop rows are written as they come.
///
/// Concurrency: the buffer, the count of writes in flight and who waits for them are behind one
/// mutex; writes of two batches may run at once (the store orders its transactions).
public final class SyncHistoryWriter: OpsStore, Service {
    public let store: any OpsStore
    public let interval: Duration
    public let maxBuffered: Int
    let logger: Logger
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var buffer: [SyncRecord] = []
        var inFlight = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    public init(_ store: any OpsStore, interval: Duration = .seconds(1), maxBuffered: Int = 2_000,
                logger: Logger = Logger(label: "doorstep.history")) {
        self.store = store
        self.interval = interval
        self.maxBuffered = maxBuffered
        self.logger = logger
    }

    /// Writes the buffer each `interval` until the server stops gracefully, then what remains;
    /// from then on rows are written as they come.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.interval)
                // Not cancelled with the loop: a batch taken from the buffer when the stop comes
                // is written, not dropped by a cancelled transaction.
                await Task { await self.flush() }.value
            }
        }
        state.withLock { $0.stopped = true }
        await flush()
    }

    /// Buffers the rows; writes the buffer now when it is full or the writer has stopped.
    public func recordSyncs(_ records: [SyncRecord]) async throws {
        let now = state.withLock { s in
            s.buffer += records
            return s.stopped || s.buffer.count >= maxBuffered
        }
        if now { await flush() }
    }

    /// Writes what is buffered in one transaction. A failure is logged and the rows dropped: the
    /// history never fails a sync, nor grows without bound.
    public func flush() async {
        let batch = state.withLock { s -> [SyncRecord] in
            let batch = s.buffer
            s.buffer = []
            if !batch.isEmpty { s.inFlight += 1 }
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.recordSyncs(batch)
        } catch {
            logger.error("sync history not written", metadata: ["rows": "\(batch.count)", "error": "\(error)"])
        }
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.inFlight -= 1
            guard s.inFlight == 0 else { return [] }
            defer { s.idleWaiters = [] }
            return s.idleWaiters
        }
        for w in waiters { w.resume() }
    }

    /// Every row recorded before the call is in the store when it returns.
    func flushed() async {
        await flush()
        await withCheckedContinuation { continuation in
            let idle = state.withLock { s in
                if s.inFlight == 0 { return true }
                s.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    public func deviceStatuses() async throws -> [DeviceStatus] {
        await flushed()
        return try await store.deviceStatuses()
    }

    public func syncHistory(device: String, limit: Int) async throws -> [SyncRecord] {
        await flushed()
        return try await store.syncHistory(device: device, limit: limit)
    }

    public func syncTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [SyncHour] {
        await flushed()
        return try await store.syncTrend(region: region, sinceMilliseconds: sinceMilliseconds)
    }

    public func recordHealthHours(_ hours: [HealthHour]) async throws { try await store.recordHealthHours(hours) }

    public func healthTrend(region: Int64, sinceMilliseconds: Int64) async throws -> [HealthHour] {
        try await store.healthTrend(region: region, sinceMilliseconds: sinceMilliseconds)
    }

    public func conflictDays(villages: Range<Int64>, sinceMilliseconds: Int64) async throws -> [ConflictDay] {
        try await store.conflictDays(villages: villages, sinceMilliseconds: sinceMilliseconds)
    }

    public func appliedChanges() async throws -> [String: Int] { try await store.appliedChanges() }
    public func conflictEvents() async throws -> [String: Int] { try await store.conflictEvents() }
    public func databaseBytes() async throws -> Int64 { try await store.databaseBytes() }
}
