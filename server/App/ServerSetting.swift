import Foundation
import Logging

/// One setting of `ServerConfiguration`, named once: its key in a configuration file
/// (`rateBurst`), its environment variable (`DOORSTEP_RATE_BURST`) and its command-line option
/// (`--rate-burst`) all derive from that name.
public struct ServerSetting: Sendable {
    /// The key in a JSON configuration file; a dot nests (`fault.crashAfterCommit`).
    public let key: String
    public let help: String
    public let kind: Kind
    /// Never logged or echoed: a database URL can hold a password.
    public let isSecret: Bool
    /// Whether `serve` has an option for it; the crash tests' faults are set in the environment only.
    public let hasOption: Bool
    let apply: @Sendable (inout ServerConfiguration, Value) throws(ServerAppError) -> Void
    let current: @Sendable (ServerConfiguration) -> String

    public enum Kind: Sendable { case text, integer, number }

    /// A value as a provider gave it, typed by the setting's kind.
    public enum Value: Sendable, Hashable {
        case text(String)
        case integer(Int)
        case number(Double)
    }

    /// `DOORSTEP_` and the key in upper snake case: `rateBurst` → `DOORSTEP_RATE_BURST`.
    public var environmentVariable: String {
        "DOORSTEP_" + words.joined(separator: "_").uppercased()
    }

    /// `--` and the key in kebab case: `rateBurst` → `--rate-burst`.
    public var option: String { "--" + words.joined(separator: "-").lowercased() }

    /// What `ServerConfiguration()` holds, for help texts.
    public var defaultDescription: String { current(ServerConfiguration()) }

    /// The help of an option: what it does, its default and its environment variable.
    public var optionHelp: String { "\(help) (default \(defaultDescription)) [env: \(environmentVariable)]" }

    private var words: [String] {
        key.split(separator: ".").flatMap { component -> [String] in
            var words: [String] = []
            var word = ""
            for c in component {
                if c.isUppercase, !word.isEmpty { words.append(word); word = "" }
                word.append(c)
            }
            return words + [word]
        }
    }
}

extension ServerSetting {
    public static func named(_ key: String) -> ServerSetting? { all.first { $0.key == key } }

    /// Every setting, in the order `serve --help` lists them.
    public static let all: [ServerSetting] = [
        text("dataDir", "The data directory, created on first start.", \.dataDirectory),
        ServerSetting(key: "database", help: "sqlite (server.sqlite in the data directory), or postgres://user[:password]@host[:port]/database[?schema=NAME&pool=N&operation_timeout=SECONDS], shared by several instances.",
                      kind: .text, isSecret: true, hasOption: true,
                      apply: { c, v throws(ServerAppError) in c.database = try DatabaseLocation(v.text) },
                      current: { $0.database.description }),
        text("host", "The address to listen on; 0.0.0.0 for every interface.", \.host),
        integer("port", "The TCP port; 0 picks a free one (logged at start).", \.port),
        ServerSetting(key: "logLevel", help: "trace, debug, info, notice, warning, error or critical.", kind: .text, isSecret: false, hasOption: true,
                      apply: { c, v throws(ServerAppError) in
                          guard let level = Logger.Level(rawValue: v.text) else {
                              throw ServerAppError(.invalidConfiguration, "logLevel \(v.text.prefix(40)) is not one of trace, debug, info, notice, warning, error, critical")
                          }
                          c.logLevel = level
                      },
                      current: { $0.logLevel.rawValue }),
        number("rateBurst", "Requests one device may make at once before the rate limit applies.", \.limits.deviceBurst),
        number("ratePerSecond", "Requests per second one device may make after its burst.", \.limits.deviceRequestsPerSecond),
        number("uploadBurstBytes", "Bytes of attachment chunks one device may send at once before its upload rate applies (a budget apart from its requests, so uploads never hold a sync).",
               \.limits.uploadBurstBytes),
        number("uploadBytesPerSecond", "Bytes of attachment chunks per second one device may send after its upload burst; a chunk counts at least 4096.",
               \.limits.uploadBytesPerSecond),
        number("enrolmentBurst", "Enrolments the server accepts at once (all callers together) before the rate limit applies.", \.limits.enrolmentBurst),
        number("enrolmentsPerSecond", "Enrolments per second after the burst (raise it to enrol a fleet, or a load test's devices, at once).",
               \.limits.enrolmentsPerSecond),
        integer("scopeWarning", "Records in a worker's scope above which devices and ops are warned.", \.engine.scopeWarningRecords),
        integer("scopeBlocking", "Records in a worker's scope above which sync is refused until an administrator narrows the assignment.",
                \.engine.scopeBlockingRecords),
        number("staleAmberDays", "Days without a successful sync after which a device shows amber on the ops page.", \.thresholds.lastSyncAmberDays),
        number("staleRedDays", "Days without a successful sync after which a device shows red.", \.thresholds.lastSyncRedDays),
        number("unsyncedAlertDays", "Alert when a device holds unsynced changes older than this many days.", \.thresholds.unsyncedAlertDays),
        number("evidenceAlertDays", "Alert when a device holds evidence (photos, scans, signatures) taken more than this many days ago and not uploaded.",
               \.thresholds.evidenceAlertDays),
        number("conflictAlertDays", "Alert when a conflict has waited for a reviewer this many days.", \.thresholds.conflictWaitingDays),
        number("syncedShareRedPercent", "A place shows red on the ops page when fewer than this percent of its devices synced within 7 days.",
               \.thresholds.syncedShareRedPercent),
        number("tombstoneHorizonDays", "Days a deleted record is kept before it is purged; a device away longer bootstraps again.",
               \.tombstoneHorizonDays),
        optionalText("keyFile", "The key ring sealing personal data at rest (mode 0600), away from the database and its backups; SQLite's default <dataDir>/server.sqlite.keys is made on first start. PostgreSQL needs one.",
                     \.keyFile),
        ServerSetting(key: "dataKeys", help: "The key ring itself, its lines separated by ';' (a container's secret), instead of keyFile.",
                      kind: .text, isSecret: true, hasOption: false,
                      apply: { c, v in c.dataKeys = v.text.isEmpty ? nil : v.text }, current: { $0.dataKeys == nil ? "none" : "(a secret)" }),
        optionalText("tlsCertificate", "A PEM certificate chain: the server terminates TLS itself (with tlsKey).", \.tlsCertificate),
        optionalText("tlsKey", "The PEM private key of tlsCertificate.", \.tlsKey),
        ServerSetting(key: "behindHttpsProxy", help: "true when clients reach the server through an HTTPS proxy: cookies are Secure and HSTS is sent.",
                      kind: .text, isSecret: false, hasOption: true,
                      apply: { c, v throws(ServerAppError) in
                          guard let flag = ["true": true, "yes": true, "1": true, "false": false, "no": false, "0": false][v.text.lowercased()] else {
                              throw ServerAppError(.invalidConfiguration, "behindHttpsProxy \(v.text.prefix(20)) is not true or false")
                          }
                          c.security.https = flag
                      },
                      current: { String($0.security.https) }),
        ServerSetting(key: "trustedProxies", help: "Comma-separated addresses or networks (10.0.0.0/8) of proxies whose X-Forwarded-For names the client.",
                      kind: .text, isSecret: false, hasOption: true,
                      apply: { c, v in
                          c.security.trustedProxies = v.text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                      },
                      current: { $0.security.trustedProxies.isEmpty ? "none" : $0.security.trustedProxies.joined(separator: ",") }),
        number("idleTimeout", "Seconds a connection may stay idle between requests before it is closed.", \.security.idleTimeoutSeconds),
        number("readTimeout", "Seconds a request may go without sending a byte of its body before its connection is closed.", \.security.readTimeoutSeconds),
        number("failedAuthBurst", "Failed authentications one client address may make at once before every further one is answered 429.",
               \.limits.failedAuthenticationBurst),
        number("failedAuthsPerSecond", "Failed authentications per second one client address may make after its burst.",
               \.limits.failedAuthenticationsPerSecond),
        number("metricsRefresh", "Seconds between two reads of the store's figures for /metrics, however often it is scraped.", \.limits.metricsRefreshSeconds),
        integer("householdsPerDevicePerDay", "New households one device may register per day (China Standard Time); over it a create is refused (creation_budget) and ops alerted.",
                \.engine.creationBudget.householdsPerDevicePerDay),
        integer("householdsPerVillagePerDay", "New households one village may register per day, from all devices.",
                \.engine.creationBudget.householdsPerVillagePerDay),
        integer("noticeMinimumDays", "The shortest public notice (公示), in days counting both ends; the national rule is 7.",
                \.engine.policy.noticeMinimumDays),
        ServerSetting(key: "attachmentMaxBytes", help: "The largest attachment file (photo, scan, signature) the server takes, in bytes; at most 33554432.",
                      kind: .integer, isSecret: false, hasOption: true,
                      apply: { c, v in c.engine.policy.attachmentMaxBytes = Int64(v.integer) },
                      current: { String($0.engine.policy.attachmentMaxBytes) }),
        integer("chunkMaxBytes", "The largest chunk of an attachment upload, in bytes (64 KiB takes about 25 s over 2G).", \.limits.chunkMaxBytes),
        number("syncHistoryDays", "Days each device's sync history is kept.", \.retention.syncHistoryDays),
        number("auditLogDays", "Days the audit and conflict logs keep an entry before it is archived to a file and deleted (at least 180).",
               \.retention.auditLogDays),
        number("securityLogDays", "Days the security log keeps an entry before it is archived to a file and deleted (at least 180).",
               \.retention.securityLogDays),
        text("archiveDir", "Where archived log entries are written (JSON lines, chained by digest) before they are deleted.", \.archiveDirectory),
        number("retentionHours", "Hours between passes of the retention (tombstones, processed dots, history, logs), the first at start; 0 for never.",
               \.retentionHours),
        number("fault.crashAfterCommit", "For the crash tests only: the probability that the process kills itself (SIGKILL) after a push commits and before its response is written.",
               \.faults.crashAfterCommitProbability, hasOption: false),
    ]

    static func text(_ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, String> & Sendable) -> ServerSetting {
        ServerSetting(key: key, help: help, kind: .text, isSecret: false, hasOption: true,
                      apply: { c, v in c[keyPath: path] = v.text }, current: { $0[keyPath: path] })
    }

    /// A text setting that may be absent (an empty value unsets it).
    static func optionalText(_ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, String?> & Sendable) -> ServerSetting {
        ServerSetting(key: key, help: help, kind: .text, isSecret: false, hasOption: true,
                      apply: { c, v in c[keyPath: path] = v.text.isEmpty ? nil : v.text }, current: { $0[keyPath: path] ?? "none" })
    }

    static func integer(_ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Int> & Sendable) -> ServerSetting {
        ServerSetting(key: key, help: help, kind: .integer, isSecret: false, hasOption: true,
                      apply: { c, v in c[keyPath: path] = v.integer }, current: { String($0[keyPath: path]) })
    }

    static func number(_ key: String, _ help: String, _ path: WritableKeyPath<ServerConfiguration, Double> & Sendable,
                       hasOption: Bool = true) -> ServerSetting {
        ServerSetting(key: key, help: help, kind: .number, isSecret: false, hasOption: hasOption,
                      apply: { c, v in c[keyPath: path] = v.number }, current: { Self.figure($0[keyPath: path]) })
    }

    /// 60 rather than 60.0; 0.5 as it is.
    static func figure(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

extension ServerSetting.Value {
    var text: String {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .number(let d): ServerSetting.figure(d)
        }
    }

    var integer: Int {
        switch self {
        case .text(let s): Int(s) ?? 0
        case .integer(let i): i
        case .number(let d): Int(d)
        }
    }

    var number: Double {
        switch self {
        case .text(let s): Double(s) ?? 0
        case .integer(let i): Double(i)
        case .number(let d): d
        }
    }
}

extension ServerConfiguration {
    /// Where the retention writes archived log entries: `archive` in the data directory unless set.
    public var archiveDirectory: String {
        get { retention.archiveDirectory ?? dataDirectory + "/archive" }
        set { retention.archiveDirectory = newValue }
    }

    /// Hours between retention passes, 0 for never, as the settings give it.
    public var retentionHours: Double {
        get { retention.intervalHours ?? 0 }
        set { retention.intervalHours = newValue == 0 ? nil : newValue }
    }

    /// The tombstone horizon in days, as the settings give it.
    public var tombstoneHorizonDays: Double {
        get { Double(engine.tombstoneHorizonMilliseconds) / 86_400_000 }
        set { engine.tombstoneHorizonMilliseconds = Int64((newValue * 86_400_000).rounded()) }
    }
}
