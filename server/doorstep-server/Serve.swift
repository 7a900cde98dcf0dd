import ArgumentParser
import FieldModel
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerOps
import SyncCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server until SIGTERM or SIGINT; in-flight syncs finish before it exits.",
        discussion: """
            The data directory holds server.sqlite (records, change logs, workers, devices, the audit and
            security logs) and, after the first start, admin.token. Back up the whole directory.

            With --database postgres://…, the records, logs and directory live in PostgreSQL instead, and
            several instances (behind one load balancer) share them; the first instance to start on an
            empty database writes admin.token into its data directory.

            Examples:
              doorstep-server serve --data-dir /var/lib/doorstep --host 0.0.0.0 --port 8080
              doorstep-server serve --database postgres://doorstep@db.internal/doorstep --port 8080

            For the crash tests only: DOORSTEP_FAULT_CRASH_AFTER_COMMIT=P makes the process kill itself
            (SIGKILL) with probability P after a push commits and before its response is written.
            """
    )

    @Option(help: "The data directory, created on first start. [env: DOORSTEP_DATA_DIR]")
    var dataDir = environment("DOORSTEP_DATA_DIR", "doorstep-data")

    @Option(help: ArgumentHelp(DatabaseChoice.help))
    var database = environment("DOORSTEP_DATABASE", "sqlite")

    @Option(help: "The address to listen on; 0.0.0.0 for every interface. [env: DOORSTEP_HOST]")
    var host = environment("DOORSTEP_HOST", "127.0.0.1")

    @Option(help: "The TCP port; 0 picks a free one (printed at start). [env: DOORSTEP_PORT]")
    var port = Int(environment("DOORSTEP_PORT", "8080")) ?? 8080

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: DOORSTEP_LOG_LEVEL]")
    var logLevel = environment("DOORSTEP_LOG_LEVEL", "info")

    @Option(help: "Requests one device may make at once before the rate limit applies.")
    var rateBurst = 60.0

    @Option(help: "Requests per second one device may make after its burst.")
    var ratePerSecond = 2.0

    @Option(help: "Enrolments the server accepts at once (all callers together) before the rate limit applies.")
    var enrolmentBurst = 20.0

    @Option(help: "Enrolments per second after the burst (raise it to enrol a fleet, or a load test's devices, at once).")
    var enrolmentsPerSecond = 0.5

    @Option(help: "Records in a worker's scope above which devices and ops are warned.")
    var scopeWarning = 40_000

    @Option(help: "Records in a worker's scope above which sync is refused until an administrator narrows the assignment.")
    var scopeBlocking = 60_000

    @Option(help: "New households one device may register per day (China Standard Time); over it creates are refused (creation_budget) and ops alerted. [env: DOORSTEP_HOUSEHOLDS_PER_DEVICE_PER_DAY]")
    var householdsPerDevicePerDay = Int(environment("DOORSTEP_HOUSEHOLDS_PER_DEVICE_PER_DAY", "50")) ?? 50

    @Option(help: "New households one village may register per day, from all devices. [env: DOORSTEP_HOUSEHOLDS_PER_VILLAGE_PER_DAY]")
    var householdsPerVillagePerDay = Int(environment("DOORSTEP_HOUSEHOLDS_PER_VILLAGE_PER_DAY", "100")) ?? 100

    @Option(help: "The shortest public notice (公示), in days counting both ends; the national rule is 7.")
    var noticeMinimumDays = PublicNotice.minimumDays

    @Option(help: "Days without a successful sync after which a device shows amber on the ops page.")
    var staleAmberDays = 3.0

    @Option(help: "Days without a successful sync after which a device shows red.")
    var staleRedDays = 7.0

    @Option(help: "Alert when a device holds unsynced changes older than this many days.")
    var unsyncedAlertDays = 3.0

    @Option(help: "Alert when a conflict has waited for a reviewer this many days.")
    var conflictAlertDays = 7.0

    func validate() throws {
        do { try DatabaseChoice.validate(database) } catch { throw ValidationError(error.message) }
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not a TCP port (0…65535)") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard rateBurst >= 1, ratePerSecond > 0 else { throw ValidationError("--rate-burst must be ≥ 1 and --rate-per-second > 0") }
        guard enrolmentBurst >= 1, enrolmentsPerSecond > 0 else { throw ValidationError("--enrolment-burst must be ≥ 1 and --enrolments-per-second > 0") }
        guard scopeWarning > 0, scopeBlocking >= scopeWarning else {
            throw ValidationError("--scope-blocking (\(scopeBlocking)) must be at least --scope-warning (\(scopeWarning)), both positive")
        }
        guard householdsPerDevicePerDay >= 1, householdsPerVillagePerDay >= 1 else {
            throw ValidationError("--households-per-device-per-day and --households-per-village-per-day must be at least 1")
        }
        guard (1...366).contains(noticeMinimumDays) else { throw ValidationError("--notice-minimum-days \(noticeMinimumDays) is outside 1…366") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "doorstep-server")
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let store = try await DatabaseChoice.open(database, dataDir: dataDir, logger: logger)
        var engineConfiguration = SyncEngine.Configuration(serverReplica: ServerDefaults.serverReplica)
        engineConfiguration.scopeWarningRecords = scopeWarning
        engineConfiguration.scopeBlockingRecords = scopeBlocking
        engineConfiguration.creationBudget = CreationBudget(householdsPerDevicePerDay: householdsPerDevicePerDay,
                                                            householdsPerVillagePerDay: householdsPerVillagePerDay)
        engineConfiguration.policy = PolicySettings(noticeMinimumDays: noticeMinimumDays)
        let engine = SyncEngine(store: store, configuration: engineConfiguration)
        let access = AccessControl(store: store, serverReplica: ServerDefaults.serverReplica)
        if let token = try await access.bootstrap(now: DoorstepServer.systemClock()) {
            let path = dataDir + "/admin.token"
            FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
            logger.notice("first start: administrator token written", metadata: ["file": "\(path)", "worker": "admin"])
        }
        var limits = ServerLimits()
        limits.deviceBurst = rateBurst
        limits.deviceRequestsPerSecond = ratePerSecond
        limits.enrolmentBurst = enrolmentBurst
        limits.enrolmentsPerSecond = enrolmentsPerSecond
        // One Prometheus registry for Doorstep's metrics and for anything reporting through
        // swift-metrics (Hummingbird's request metrics among them).
        let metrics = SyncMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        var thresholds = OpsThresholds()
        thresholds.lastSyncAmberDays = staleAmberDays
        thresholds.lastSyncRedDays = staleRedDays
        thresholds.unsyncedAlertDays = unsyncedAlertDays
        thresholds.conflictWaitingDays = conflictAlertDays
        var server = DoorstepServer(engine: engine, access: access, ops: store, metrics: metrics, thresholds: thresholds, limits: limits)
        server.faults = try FaultInjection(environment: ProcessInfo.processInfo.environment)
        if server.faults.isOn { logger.warning("fault injection is on: the crash tests' setting, never for production", metadata: ["crash_after_commit": "\(server.faults.crashAfterCommitProbability)"]) }
        let app = Application(router: server.router(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "doorstep"),
                              onServerRunning: { channel in
                                  logger.notice("listening", metadata: ["host": "\(host)", "port": "\(channel.localAddress?.port ?? port)",
                                                                       "data": "\(dataDir)"])
                              },
                              logger: logger)
        do {
            try await app.runService()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        logger.notice("stopped; every acknowledged change is on disk")
    }
}
