import Foundation
import Logging
import ServerEngine
import ServerHTTP

/// One pass of the server's retention: purges tombstones past the horizon, forgets processed
/// dots past it that their devices have moved beyond, trims devices' sync history, and archives
/// then deletes the audit, conflict and security logs' old entries, and collects the attachment
/// bytes no record names. The retention service runs it every few hours; the simulator runs it
/// at its simulated instants.
///
///     let report = try await retention.run(now: clock())
public struct Retention: Sendable {
    public let engine: SyncEngine
    public let store: any ServerStore
    public let policy: RetentionPolicy
    let archive: LogArchive
    let metrics: SyncMetrics?
    let logger: Logger

    public init(engine: SyncEngine, store: any ServerStore, policy: RetentionPolicy, archiveDirectory: String,
                metrics: SyncMetrics? = nil, logger: Logger = .silent) {
        self.engine = engine
        self.store = store
        self.policy = policy
        self.archive = LogArchive(directory: archiveDirectory)
        self.metrics = metrics
        self.logger = logger
    }

    /// What one pass removed.
    public struct Report: Sendable, Hashable, Codable {
        public var tombstones = 0
        public var processedDots = 0
        public var syncHistory = 0
        /// Attachment files (complete or partial) no record names, older than the tombstone horizon.
        public var attachments = 0
        /// Entries archived and deleted, by log.
        public var archived: [RetainedLog: Int] = [:]

        /// Every figure by the name metrics and logs give it.
        public var removed: [(kind: String, count: Int)] {
            [("tombstones", tombstones), ("processed_dots", processedDots), ("sync_history", syncHistory), ("attachments", attachments)]
                + RetainedLog.allCases.map { ($0.rawValue, archived[$0] ?? 0) }
        }
    }

    /// Runs every step at `now` (the server's clock, ms since the epoch). A step that fails
    /// stops the pass; what the steps before committed stays.
    public func run(now: Int64) async throws -> Report {
        var report = Report()
        report.tombstones = try await engine.purgeTombstones(now: now)
        report.processedDots = try await store.compactProcessedDots(decidedBefore: now - engine.configuration.tombstoneHorizonMilliseconds)
        // A record may arrive after its bytes (SPEC §15.5): bytes younger than the horizon stay.
        report.attachments = try await store.collectAttachmentBytes(writtenBefore: now - engine.configuration.tombstoneHorizonMilliseconds)
        report.syncHistory = try await store.trimSyncHistory(before: now - Self.milliseconds(days: policy.syncHistoryDays))
        for log in RetainedLog.allCases {
            report.archived[log] = try await archiveAll(log, before: now - Self.milliseconds(days: policy.days(log)))
        }
        try await store.reclaimSpace()
        return report
    }

    /// `run`, logged and counted in the metrics; a failure is logged and counted, not thrown
    /// (the next pass tries again).
    @discardableResult
    public func runRecorded(now: Int64) async -> Report? {
        let started = ContinuousClock.now
        do {
            let report = try await run(now: now)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            var metadata: Logger.Metadata = ["seconds": "\(String(format: "%.3f", seconds))"]
            for (kind, count) in report.removed { metadata[kind] = "\(count)" }
            logger.notice("retention", metadata: metadata)
            metrics?.recordRetention(removed: report.removed, succeeded: true, atMilliseconds: now)
            return report
        } catch {
            logger.error("retention failed; the next pass tries again", metadata: ["error": "\(error)"])
            metrics?.recordRetention(removed: [], succeeded: false, atMilliseconds: now)
            return nil
        }
    }

    /// Archives `log`'s entries older than `before`, a batch (one file) per transaction.
    func archiveAll(_ log: RetainedLog, before: Int64) async throws -> Int {
        var total = 0
        let archive = self.archive
        while true {
            let n = try await store.archiveLog(log, before: before, limit: policy.archiveBatch) { batch in try archive.write(batch) }
            total += n
            if n < policy.archiveBatch { return total }
        }
    }

    static func milliseconds(days: Double) -> Int64 { Int64((days * 86_400_000).rounded()) }
}
