import FieldModel
import Replica
import SyncCore
import SyncProtocol

/// What one sync did, for the app's status line, the simulator's report and ops.
public struct SyncReport: Sendable, Hashable {
    public var outcome: SyncSession.Outcome = .success
    public var exchanges = 0
    public var pushed = 0
    public var acked = 0
    public var rejected = 0
    /// Of the rejected, changes refused as stamped in the future and re-sent under new dots.
    public var restamped = 0
    /// Changes the server could not place by their record's handle (`unknown_handle`), sent again
    /// by id: not rejections, as nothing was refused.
    public var resent = 0
    public var pulled = 0
    public var bytesUp = 0
    public var bytesDown = 0
    public var repairs: [VillageCode] = []
    public var rebootstraps: [VillageCode] = []
    public var dropped: [VillageCode] = []
    public var failedAttempts = 0
    /// What the server warned of (a scope over its size budget), once per code.
    public var warnings: [ScopeWarning] = []
    public var startedMilliseconds: Int64 = 0
    public var finishedMilliseconds: Int64 = 0
    /// The server revoked the device and told it to wipe, and the replica was wiped: its file
    /// and key store are gone (the app's token with them).
    public var wiped = false

    public var succeeded: Bool { outcome == .success }
}

/// Drives a `SyncSession` over a transport against a replica: builds each request from the
/// outbox and cursors, applies each response in one transaction, waits, repairs, and records
/// the result in the replica's sync log. Its database work runs off the threads Swift
/// concurrency shares (`ReplicaQueue`).
public struct SyncClient: Sendable {
    public var replica: Replica
    public var transport: any Transport
    public var configuration: SyncSession.Configuration
    public var batchLimit: Int
    /// Records asked for in an exchange's page: the first of a sync, when the server may have
    /// little or nothing new.
    public var pageLimit: Int
    /// Records asked for once the server said more waits (a bootstrap, a long time offline):
    /// fewer, larger pages, so fewer round trips on a slow link and fewer transactions on the
    /// phone, each of which rewrites the index pages it touches (a township's 27,000 records:
    /// 15 pages instead of 54). 0 keeps `pageLimit`.
    public var catchUpPageLimit: Int
    public var appVersion: String
    /// Waits a number of milliseconds (a real sleep on a device, simulated time in tests).
    public var sleep: @Sendable (Int64) async -> Void
    /// Draws the jitter for a backoff, in [0, 1).
    public var jitter: @Sendable () -> Double
    public var now: @Sendable () -> Int64
    /// What the replica drops after each sync: old sync attempts and old confirmed tombstones.
    public var retention = DeviceRetention()

    public init(replica: Replica, transport: any Transport, configuration: SyncSession.Configuration = .init(),
                batchLimit: Int = 500, pageLimit: Int = 500, catchUpPageLimit: Int = 2_000, appVersion: String = "1.0.0",
                sleep: @escaping @Sendable (Int64) async -> Void, jitter: @escaping @Sendable () -> Double,
                now: @escaping @Sendable () -> Int64) {
        self.replica = replica
        self.transport = transport
        self.configuration = configuration
        self.batchLimit = batchLimit
        self.pageLimit = pageLimit
        self.catchUpPageLimit = catchUpPageLimit
        self.appVersion = appVersion
        self.sleep = sleep
        self.jitter = jitter
        self.now = now
    }

    /// Syncs until done or failed; never throws: failures are in the report's outcome.
    public func sync() async -> SyncReport {
        let database = ReplicaQueue(replica)
        var session = SyncSession(configuration: configuration)
        var report = SyncReport()
        report.startedMilliseconds = now()
        var action = session.start()
        var catchingUp = false
        loop: while true {
            switch action {
            case .finish(let outcome):
                report.outcome = outcome
                break loop
            case .wait(let ms):
                await sleep(ms)
                action = .send
            case .repair(let villages):
                do {
                    try await database.run { replica throws(ReplicaError) in try replica.resetVillages(villages) }
                    report.repairs += villages
                    action = .send
                } catch {
                    action = session.broken(code: "storage", message: error.message)
                }
            case .send:
                action = await exchange(&session, &report, &catchingUp, database)
            }
        }
        report.finishedMilliseconds = now()
        let reason: String? = if case .failure(_, let message) = report.outcome { message } else { nil }
        let result: String = if case .failure(let code, _) = report.outcome { code } else { "ok" }
        let entry = SyncLogEntry(startedMilliseconds: report.startedMilliseconds, finishedMilliseconds: report.finishedMilliseconds,
                                 result: result, reason: reason, pushed: report.pushed, acked: report.acked,
                                 rejected: report.rejected, pulled: report.pulled, bytesUp: report.bytesUp, bytesDown: report.bytesDown)
        let retention = self.retention
        try? await database.run { replica throws(ReplicaError) in
            try replica.recordSync(entry)
            // A failed trim loses nothing: the next sync tries again.
            _ = try? replica.trim(retention)
        }
        return report
    }

    /// One exchange. `catchingUp`: the last answer said more waits, so this one asks for the larger page.
    private func exchange(_ session: inout SyncSession, _ report: inout SyncReport, _ catchingUp: inout Bool,
                          _ database: ReplicaQueue) async -> SyncSession.Action {
        let request: SyncRequest
        let pageLimit = catchingUp && catchUpPageLimit > 0 ? catchUpPageLimit : self.pageLimit
        let (batchLimit, appVersion) = (self.batchLimit, self.appVersion)
        do {
            request = try await database.run { replica throws(ReplicaError) in
                try replica.makeRequest(batchLimit: batchLimit, pageLimit: pageLimit, appVersion: appVersion)
            }
        } catch {
            return session.broken(code: "storage", message: error.message)
        }
        let body = SyncCodec.encodeRequest(request)
        report.exchanges += 1
        report.bytesUp += body.count
        let answer: [UInt8]
        do { answer = try await transport.exchange(body) } catch {
            report.failedAttempts += 1
            if case .unreachable = error.kind, !request.changes.isEmpty {
                // The server may have applied the batch: its handles may be stale. Losing them costs bytes, not writes.
                let keys = request.changes.map(\.record)
                try? await database.run { replica throws(ReplicaError) in try replica.forgetHandles(of: keys) }
            }
            if let wipe = error.wipe { report.wiped = await wipeIfAllowed(wipe, database) }
            return session.failed(error, jitter: jitter())
        }
        report.bytesDown += answer.count
        let response: SyncResponse
        do { response = try SyncCodec.decodeResponse(answer) } catch {
            return session.broken(code: error.code.rawValue, message: "response: \(error.message)")
        }
        let applied: ApplyReport
        do { applied = try await database.run { replica throws(ReplicaError) in try replica.apply(response) } } catch {
            return session.broken(code: "storage", message: error.message)
        }
        report.pushed += request.changes.count
        report.acked += applied.acked
        report.rejected += applied.rejected.count
        report.restamped += applied.restamped
        report.resent += applied.resent
        report.pulled += applied.pulled
        report.rebootstraps += applied.rebootstrapped
        report.dropped += applied.dropped
        for warning in response.warnings where !report.warnings.contains(where: { $0.code == warning.code }) {
            report.warnings.append(warning)
        }
        let pending: Int
        do { pending = try await database.run { replica throws(ReplicaError) in try replica.outboxSummary().pending } } catch {
            return session.broken(code: "storage", message: error.message)
        }
        catchingUp = response.hasMore
        let retired = response.warnings.contains { $0.code == HTTPAPI.retiredWarning }
        return session.applied(hasMore: response.hasMore, mismatched: applied.mismatched, pending: pending, retired: retired)
    }

    /// Wipes the replica as the server instructed: a lost device at once, a retired one only
    /// when its outbox holds nothing unacknowledged (it never loses an unsynced change).
    private func wipeIfAllowed(_ instruction: String, _ database: ReplicaQueue) async -> Bool {
        do {
            return try await database.run { replica throws(ReplicaError) in
                if instruction != "lost", try replica.outboxSummary().pending != 0 { return false }
                try replica.wipe()
                return true
            }
        } catch {
            return false
        }
    }
}
