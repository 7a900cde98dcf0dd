import FieldModel
import Logging
import ServerEngine
import ServerHTTP
import ServerOps

/// Everything one server is set up by, with every default in this one place.
///
/// `doorstep-server serve` fills it from its options, the environment and a JSON file
/// (`ServerConfiguration.load`); tests, the embedded server and the simulator change the
/// fields they need. All of them hand it to `buildApplication`, the one assembly.
///
///     var configuration = ServerConfiguration()
///     configuration.dataDirectory = "/var/lib/doorstep"
///     configuration.limits.deviceBurst = 120
///     let app = try await buildApplication(configuration)
///     try await app.run()                                  // until SIGTERM
public struct ServerConfiguration: Sendable, Hashable {
    /// Created on first start: `server.sqlite` (on SQLite), `admin.token`, the log archive.
    public var dataDirectory = "doorstep-data"
    public var database = DatabaseLocation.sqlite
    /// The address to listen on; 0.0.0.0 for every interface.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free one (logged, and given by `RunningServer.port`).
    public var port = 8080
    public var logLevel = Logger.Level.info
    /// Body caps and rate limits of the HTTP layer.
    public var limits = ServerLimits()
    /// The engine's limits and policies: page sizes, scope budget, clock tolerance, horizon.
    public var engine = SyncEngine.Configuration(serverReplica: ServerDefaults.serverReplica)
    /// When ops figures turn amber or red, and when problems become alerts.
    public var thresholds = OpsThresholds()
    /// How long sync history and the logs are kept, and how often the retention runs.
    public var retention = RetentionPolicy()
    /// Crashes the crash tests ask for; off unless set.
    public var faults = FaultInjection.off
    /// The key ring's file, kept away from the database and its backups (`keyRing()`).
    public var keyFile: String?
    /// The key ring itself, from `DOORSTEP_DATA_KEYS` (a container's secret): never logged.
    public var dataKeys: String?
    /// PEM files: the server terminates TLS itself.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// HTTPS behind a proxy, trusted proxies, connection timeouts.
    public var security = ServerSecurity()

    public init() {}

    /// Refuses a configuration no server should run with, naming the setting and its value.
    public func validate() throws(ServerAppError) {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws(ServerAppError) {
            if !ok { throw ServerAppError(.invalidConfiguration, message()) }
        }
        try check(!dataDirectory.isEmpty, "dataDir is empty; name the directory the server keeps its files in")
        try check((0...65_535).contains(port), "port \(port) is not a TCP port (0…65535)")
        try check(!host.isEmpty, "host is empty; give an address such as 127.0.0.1 or 0.0.0.0")
        try check(limits.uploadBurstBytes >= Double(limits.chunkMaxBytes) && limits.uploadBytesPerSecond > 0,
                  "uploadBurstBytes (\(limits.uploadBurstBytes)) must be ≥ chunkMaxBytes (\(limits.chunkMaxBytes)) and uploadBytesPerSecond (\(limits.uploadBytesPerSecond)) > 0")
        try check(limits.deviceBurst >= 1 && limits.deviceRequestsPerSecond > 0,
                  "rateBurst (\(limits.deviceBurst)) must be ≥ 1 and ratePerSecond (\(limits.deviceRequestsPerSecond)) > 0")
        try check(limits.enrolmentBurst >= 1 && limits.enrolmentsPerSecond > 0,
                  "enrolmentBurst (\(limits.enrolmentBurst)) must be ≥ 1 and enrolmentsPerSecond (\(limits.enrolmentsPerSecond)) > 0")
        try check(engine.scopeWarningRecords > 0 && engine.scopeBlockingRecords >= engine.scopeWarningRecords,
                  "scopeBlocking (\(engine.scopeBlockingRecords)) must be at least scopeWarning (\(engine.scopeWarningRecords)), both positive")
        try check(engine.tombstoneHorizonMilliseconds >= 86_400_000,
                  "tombstoneHorizonDays (\(Double(engine.tombstoneHorizonMilliseconds) / 86_400_000)) must be at least 1")
        try check(thresholds.lastSyncAmberDays > 0 && thresholds.lastSyncRedDays >= thresholds.lastSyncAmberDays,
                  "staleRedDays (\(thresholds.lastSyncRedDays)) must be at least staleAmberDays (\(thresholds.lastSyncAmberDays)), both positive")
        try check(thresholds.evidenceAlertDays > 0, "evidenceAlertDays (\(thresholds.evidenceAlertDays)) must be positive")
        try check(thresholds.unsyncedAlertDays > 0 && thresholds.conflictWaitingDays > 0,
                  "unsyncedAlertDays (\(thresholds.unsyncedAlertDays)) and conflictAlertDays (\(thresholds.conflictWaitingDays)) must be positive")
        try check((0...100).contains(thresholds.syncedShareRedPercent),
                  "syncedShareRedPercent (\(thresholds.syncedShareRedPercent)) must be a percent, 0 to 100")
        try check((tlsCertificate == nil) == (tlsKey == nil), "tlsCertificate and tlsKey go together: give both or neither")
        try check(security.idleTimeoutSeconds > 0 && security.readTimeoutSeconds > 0,
                  "idleTimeout (\(security.idleTimeoutSeconds)) and readTimeout (\(security.readTimeoutSeconds)) must be positive")
        try check(limits.failedAuthenticationBurst >= 1 && limits.failedAuthenticationsPerSecond > 0,
                  "failedAuthBurst (\(limits.failedAuthenticationBurst)) must be ≥ 1 and failedAuthsPerSecond (\(limits.failedAuthenticationsPerSecond)) > 0")
        try check(limits.metricsRefreshSeconds >= 0, "metricsRefresh (\(limits.metricsRefreshSeconds)) must not be negative")
        if let bad = security.trustedProxies.first(where: { !ServerSecurity.isAddressOrNetwork($0) }) {
            throw ServerAppError(.invalidConfiguration, "trustedProxies: \(bad.prefix(60)) is not an address or a network like 10.0.0.0/8")
        }
        try check(engine.creationBudget.householdsPerDevicePerDay >= 1 && engine.creationBudget.householdsPerVillagePerDay >= 1,
                  "householdsPerDevicePerDay (\(engine.creationBudget.householdsPerDevicePerDay)) and householdsPerVillagePerDay (\(engine.creationBudget.householdsPerVillagePerDay)) must be at least 1")
        try check((1...366).contains(engine.policy.noticeMinimumDays), "noticeMinimumDays \(engine.policy.noticeMinimumDays) is outside 1…366")
        try check((1...Attachment.schemaMaxBytes).contains(engine.policy.attachmentMaxBytes),
                  "attachmentMaxBytes \(engine.policy.attachmentMaxBytes) is outside 1…\(Attachment.schemaMaxBytes)")
        try check((1_024...(1 << 20)).contains(limits.chunkMaxBytes), "chunkMaxBytes \(limits.chunkMaxBytes) is outside 1024…1048576")
        try check(retention.intervalHours.map { $0 > 0 } ?? true, "retentionHours must be positive, or 0 for never")
        try check(retention.syncHistoryDays >= 1, "syncHistoryDays (\(retention.syncHistoryDays)) must be at least 1")
        try check(retention.auditLogDays >= RetentionPolicy.minimumLogDays && retention.securityLogDays >= RetentionPolicy.minimumLogDays,
                  "auditLogDays (\(retention.auditLogDays)) and securityLogDays (\(retention.securityLogDays)) must be at least \(Int(RetentionPolicy.minimumLogDays)): a graded-protection review expects six months of logs")
        try check(retention.archiveBatch >= 1, "the archive batch (\(retention.archiveBatch)) must be at least 1")
        try check((0...1).contains(faults.crashAfterCommitProbability),
                  "fault.crashAfterCommit \(faults.crashAfterCommitProbability) is not a probability between 0 and 1")
    }
}
