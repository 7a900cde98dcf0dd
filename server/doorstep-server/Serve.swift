import ArgumentParser
import Foundation
import Logging
import ServerApp

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server until SIGTERM or SIGINT; in-flight syncs finish before it exits.",
        discussion: """
            The data directory holds server.sqlite (records, change logs, workers, devices, the audit and
            security logs), after the first start admin.token, and archive/ (log entries past their
            retention, archived before they are deleted). Back up the whole directory.

            Every few hours (--retention-hours) the server purges deleted records past the tombstone
            horizon, forgets processed dots past it, trims devices' sync history, and archives then
            deletes the audit, conflict and security logs' entries past their days; each pass is logged
            and counted in /metrics (doorstep_retention_*).

            Personal data is sealed at rest under a key ring kept outside the database: --key-file (or the ring
            itself in DOORSTEP_DATA_KEYS). On SQLite without either, <data-dir>/server.sqlite.keys is made on first
            start, which suits trying the server, not production. Clients reach production over HTTPS:
            --tls-certificate and --tls-key, or --behind-https-proxy true with the proxy in --trusted-proxies.

            With --database postgres://…, the records, logs and directory live in PostgreSQL instead, and
            several instances (behind one load balancer) share them; the first instance to start on an
            empty database writes admin.token into its data directory.

            Every option is also an environment variable (DOORSTEP_ and the option in capitals:
            --rate-burst is DOORSTEP_RATE_BURST) and a key of the JSON file --config names (the option in
            camel case: {"rateBurst": 120}). An option beats the environment, which beats the file.

            Examples:
              doorstep-server serve --data-dir /var/lib/doorstep --host 0.0.0.0 --port 8080
              doorstep-server admin generate-key --key-file /etc/doorstep/data.keys
              doorstep-server serve --database postgres://doorstep@db.internal/doorstep --data-dir /var/lib/doorstep --key-file /etc/doorstep/data.keys --port 8080

            For the crash tests only: DOORSTEP_FAULT_CRASH_AFTER_COMMIT=P makes the process kill itself
            (SIGKILL) with probability P after a push commits and before its response is written.
            """
    )

    @Option(help: "A JSON file of settings, e.g. {\"port\": 8080, \"rateBurst\": 120}. [env: \(ServerConfiguration.fileVariable)]")
    var config: String?

    @Option(help: help("dataDir")) var dataDir: String?
    @Option(help: help("database")) var database: String?
    @Option(help: help("host")) var host: String?
    @Option(help: help("port")) var port: Int?
    @Option(help: help("logLevel")) var logLevel: String?
    @Option(help: help("rateBurst")) var rateBurst: Double?
    @Option(help: help("ratePerSecond")) var ratePerSecond: Double?
    @Option(help: help("enrolmentBurst")) var enrolmentBurst: Double?
    @Option(help: help("enrolmentsPerSecond")) var enrolmentsPerSecond: Double?
    @Option(help: help("scopeWarning")) var scopeWarning: Int?
    @Option(help: help("scopeBlocking")) var scopeBlocking: Int?
    @Option(help: help("staleAmberDays")) var staleAmberDays: Double?
    @Option(help: help("staleRedDays")) var staleRedDays: Double?
    @Option(help: help("unsyncedAlertDays")) var unsyncedAlertDays: Double?
    @Option(help: help("evidenceAlertDays")) var evidenceAlertDays: Double?
    @Option(help: help("conflictAlertDays")) var conflictAlertDays: Double?
    @Option(help: help("syncedShareRedPercent")) var syncedShareRedPercent: Double?
    @Option(help: help("tombstoneHorizonDays")) var tombstoneHorizonDays: Double?
    @Option(help: help("keyFile")) var keyFile: String?
    @Option(help: help("tlsCertificate")) var tlsCertificate: String?
    @Option(help: help("tlsKey")) var tlsKey: String?
    @Option(help: help("behindHttpsProxy")) var behindHttpsProxy: String?
    @Option(help: help("trustedProxies")) var trustedProxies: String?
    @Option(help: help("idleTimeout")) var idleTimeout: Double?
    @Option(help: help("readTimeout")) var readTimeout: Double?
    @Option(help: help("failedAuthBurst")) var failedAuthBurst: Double?
    @Option(help: help("failedAuthsPerSecond")) var failedAuthsPerSecond: Double?
    @Option(help: help("metricsRefresh")) var metricsRefresh: Double?
    @Option(help: help("householdsPerDevicePerDay")) var householdsPerDevicePerDay: Int?
    @Option(help: help("householdsPerVillagePerDay")) var householdsPerVillagePerDay: Int?
    @Option(help: help("noticeMinimumDays")) var noticeMinimumDays: Int?
    @Option(help: help("attachmentMaxBytes")) var attachmentMaxBytes: Int?
    @Option(help: help("chunkMaxBytes")) var chunkMaxBytes: Int?
    @Option(help: help("uploadBurstBytes")) var uploadBurstBytes: Double?
    @Option(help: help("uploadBytesPerSecond")) var uploadBytesPerSecond: Double?
    @Option(help: help("syncHistoryDays")) var syncHistoryDays: Double?
    @Option(help: help("auditLogDays")) var auditLogDays: Double?
    @Option(help: help("securityLogDays")) var securityLogDays: Double?
    @Option(help: help("archiveDir")) var archiveDir: String?
    @Option(help: help("retentionHours")) var retentionHours: Double?

    /// The options given, by setting key.
    var options: [String: ServerSetting.Value] {
        let texts: [String: String?] = ["dataDir": dataDir, "database": database, "host": host, "logLevel": logLevel, "keyFile": keyFile,
                                        "tlsCertificate": tlsCertificate, "tlsKey": tlsKey, "behindHttpsProxy": behindHttpsProxy,
                                        "trustedProxies": trustedProxies, "archiveDir": archiveDir]
        let integers: [String: Int?] = ["port": port, "scopeWarning": scopeWarning, "scopeBlocking": scopeBlocking,
                                        "householdsPerDevicePerDay": householdsPerDevicePerDay,
                                        "householdsPerVillagePerDay": householdsPerVillagePerDay, "noticeMinimumDays": noticeMinimumDays,
                                        "attachmentMaxBytes": attachmentMaxBytes, "chunkMaxBytes": chunkMaxBytes]
        let numbers: [String: Double?] = [
            "rateBurst": rateBurst, "ratePerSecond": ratePerSecond, "uploadBurstBytes": uploadBurstBytes, "uploadBytesPerSecond": uploadBytesPerSecond,
            "enrolmentBurst": enrolmentBurst,
            "enrolmentsPerSecond": enrolmentsPerSecond, "staleAmberDays": staleAmberDays, "staleRedDays": staleRedDays,
            "unsyncedAlertDays": unsyncedAlertDays, "evidenceAlertDays": evidenceAlertDays, "conflictAlertDays": conflictAlertDays, "syncedShareRedPercent": syncedShareRedPercent,
            "tombstoneHorizonDays": tombstoneHorizonDays,
            "idleTimeout": idleTimeout, "readTimeout": readTimeout, "failedAuthBurst": failedAuthBurst, "failedAuthsPerSecond": failedAuthsPerSecond,
            "metricsRefresh": metricsRefresh,
            "syncHistoryDays": syncHistoryDays, "auditLogDays": auditLogDays, "securityLogDays": securityLogDays, "retentionHours": retentionHours,
        ]
        return texts.compactMapValues { $0.map(ServerSetting.Value.text) }
            .merging(integers.compactMapValues { $0.map(ServerSetting.Value.integer) }) { $1 }
            .merging(numbers.compactMapValues { $0.map(ServerSetting.Value.number) }) { $1 }
    }

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try await ServerConfiguration.load(options: options, environment: ProcessInfo.processInfo.environment, file: config)
        } catch {
            throw ValidationError(error.message)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try await buildApplication(configuration).run()
    }
}

/// An option's help from its setting: what it does, its default, its environment variable.
private func help(_ key: String) -> ArgumentHelp {
    ArgumentHelp(ServerSetting.named(key)!.optionHelp)
}
