import FieldModel
import Prometheus
import ServerDirectory
import ServerEngine
import ServerOps

/// The server's Prometheus metrics (`/metrics`, text format 0.0.4). Counters of this instance's
/// traffic are kept in memory; figures every instance shares (devices, conflicts, applied
/// changes, the oldest unsynced change, the database) are read from the store, at most once per
/// `ServerLimits.metricsRefreshSeconds` (`TimedCache`), so any instance reports the same and a
/// scrape's cost does not grow with the scrape rate. `/metrics` also renders `process`: what
/// swift-metrics reports in this process (Hummingbird's request metrics among them).
public final class SyncMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let process: (@Sendable () -> String)?
    let duration: DurationHistogram

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), process: (@Sendable () -> String)? = nil) {
        self.registry = registry
        self.process = process
        duration = registry.makeDurationHistogram(
            name: "doorstep_sync_duration_seconds",
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                      .seconds(2.5), .seconds(5), .seconds(10), .seconds(20), .seconds(60)],
            help: "Time the server took for one sync exchange")
        // Exported at 0 from the start, so a dashboard or an alert's rate() sees the series before
        // the first refusal or repair rather than no data.
        for reason in RejectionReason.allCases {
            _ = registry.makeCounter(name: "doorstep_rejections_total", labels: [("reason", reason.rawValue)], help: Self.rejectionsHelp)
        }
        _ = registry.makeCounter(name: "doorstep_pulls_from_zero_total", help: Self.pullsFromZeroHelp)
    }

    static let rejectionsHelp = "Changes refused, by reason"
    static let pullsFromZeroHelp = "Villages pulled from the start: first bootstraps, re-bootstraps after a purge, and digest repairs"

    /// One exchange: its result, duration, bytes, rejections and whether it pulled a village from zero.
    func record(_ r: SyncRecord, rejections: [String], pullsFromZero: Int) {
        registry.makeCounter(name: "doorstep_sync_requests_total", labels: [("result", r.result)], help: "Sync exchanges by result").increment()
        duration.record(.milliseconds(r.durationMilliseconds))
        registry.makeCounter(name: "doorstep_bytes_received_total", help: "Sync request bytes received (deflated)").increment(by: Int64(r.bytesIn))
        registry.makeCounter(name: "doorstep_bytes_sent_total", help: "Sync response bytes sent (deflated)").increment(by: Int64(r.bytesOut))
        registry.makeCounter(name: "doorstep_changes_pushed_total", help: "Changes devices pushed").increment(by: Int64(r.pushed))
        registry.makeCounter(name: "doorstep_records_pulled_total", help: "Records served in pulled pages").increment(by: Int64(r.pulled))
        for reason in rejections {
            registry.makeCounter(name: "doorstep_rejections_total", labels: [("reason", reason)], help: Self.rejectionsHelp).increment()
        }
        if pullsFromZero > 0 {
            registry.makeCounter(name: "doorstep_pulls_from_zero_total", help: Self.pullsFromZeroHelp).increment(by: Int64(pullsFromZero))
        }
    }

    /// One pass of the retention: what it removed, by kind, or that it failed.
    public func recordRetention(removed: [(kind: String, count: Int)], succeeded: Bool, atMilliseconds: Int64) {
        registry.makeCounter(name: "doorstep_retention_runs_total", labels: [("result", succeeded ? "ok" : "failed")],
                             help: "Passes of the retention (tombstones, processed dots, sync history, archived logs), by result").increment()
        for (kind, count) in removed {
            registry.makeCounter(name: "doorstep_retention_removed_total", labels: [("kind", kind)],
                                 help: "Rows the retention removed: purged tombstones, forgotten dots, trimmed history, archived log entries")
                .increment(by: Int64(count))
        }
        if succeeded {
            registry.makeGauge(name: "doorstep_retention_last_success_timestamp_seconds", help: "When the retention last completed a pass")
                .set(to: Double(atMilliseconds) / 1000)
        }
    }

    /// What every instance reports alike, read from the store: the overview and the log counters.
    struct SharedFigures: Sendable {
        let overview: OpsOverview
        let conflictEvents: [String: Int]
        let appliedChanges: [String: Int]
        let databaseBytes: Int64
        /// The latest completed backup, which a backup process (`doorstep-server backup`) records in the store.
        let recovery: RecoveryMark
        /// Attachment files the server holds whole, and their bytes (SPEC §15).
        let attachments: (files: Int, bytes: Int64)

        static func read(_ overview: OpsOverview, store: any OpsStore, recovery: RecoveryMark,
                         attachments: (any AttachmentStore)?) async throws -> SharedFigures {
            SharedFigures(overview: overview, conflictEvents: try await store.conflictEvents(), appliedChanges: try await store.appliedChanges(),
                          databaseBytes: try await store.databaseBytes(), recovery: recovery,
                          attachments: try await attachments?.attachmentTotals() ?? (0, 0))
        }
    }

    /// Renders every metric with the shared figures.
    func scrape(_ figures: SharedFigures) -> String {
        let overview = figures.overview
        let s = overview.summary
        for (state, n) in [("enrolled", s.enrolled), ("active", s.active), ("stale", s.stale)] {
            registry.makeGauge(name: "doorstep_devices", labels: [("state", state)],
                               help: "Enrolled devices; active: synced within the amber threshold; stale: no sync within the red one").set(to: Double(n))
        }
        registry.makeGauge(name: "doorstep_devices_over_budget", help: "Devices whose scope is over its size budget").set(to: Double(s.overBudget))
        registry.makeGauge(name: "doorstep_unsynced_changes", help: "Changes devices reported holding unsynced").set(to: Double(s.unsyncedChanges))
        let oldest = s.oldestUnsyncedMilliseconds.map { Double(overview.generatedAtMilliseconds - $0) / 1000 } ?? 0
        registry.makeGauge(name: "doorstep_oldest_unsynced_change_age_seconds", help: "Age of the oldest change any device reported unsynced").set(to: max(0, oldest))
        registry.makeGauge(name: "doorstep_evidence_on_phones", help: "Attachment files devices reported holding and not yet uploaded").set(to: Double(s.evidenceWaiting))
        registry.makeGauge(name: "doorstep_evidence_on_phones_bytes", help: "Bytes of the attachment files devices reported not yet uploaded")
            .set(to: Double(s.evidenceWaitingBytes))
        let oldestEvidence = s.oldestEvidenceMilliseconds.map { Double(overview.generatedAtMilliseconds - $0) / 1000 } ?? 0
        registry.makeGauge(name: "doorstep_oldest_evidence_on_phone_age_seconds", help: "Age of the oldest attachment any device reported not yet uploaded")
            .set(to: max(0, oldestEvidence))
        registry.makeGauge(name: "doorstep_conflicts_waiting", help: "Records waiting for a reviewer").set(to: Double(s.conflictsWaiting))
        for kind in OpsOverview.Alert.Kind.allCases {
            registry.makeGauge(name: "doorstep_alerts", labels: [("kind", kind.rawValue)], help: "Current alerts by kind")
                .set(to: Double(overview.alerts.filter { $0.kind == kind }.count))
        }
        let events = figures.conflictEvents
        for kind in ["needs_review", "resolved", "auto_resolved", "delete_conflict"] {
            registry.makeGauge(name: "doorstep_conflict_events", labels: [("kind", kind)],
                               help: "Conflict-log entries by kind since the store was created: needs_review opened, resolved by reviewers")
                .set(to: Double(events[kind] ?? 0))
        }
        for (collection, n) in figures.appliedChanges {
            registry.makeGauge(name: "doorstep_changes_applied", labels: [("collection", collection)],
                               help: "Changes applied since the store was created, by collection").set(to: Double(n))
        }
        registry.makeGauge(name: "doorstep_database_bytes", help: "Size of the database on disk").set(to: Double(figures.databaseBytes))
        registry.makeGauge(name: "doorstep_attachment_files", help: "Attachment files (evidence) held whole and checked").set(to: Double(figures.attachments.files))
        registry.makeGauge(name: "doorstep_attachment_bytes", help: "Bytes of the attachment files held").set(to: Double(figures.attachments.bytes))
        registry.makeGauge(name: "doorstep_backup_last_success_timestamp_seconds",
                           help: "When the latest completed, verified backup was taken (0: never)")
            .set(to: Double(figures.recovery.backedUpAtMilliseconds) / 1000)
        registry.makeGauge(name: "doorstep_backup_through_sequence", help: "The sequence the latest completed backup covers (0: none)")
            .set(to: Double(figures.recovery.backedUpThrough))
        return registry.emitToString() + (process?() ?? "")
    }
}
