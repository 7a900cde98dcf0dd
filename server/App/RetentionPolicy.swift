import ServerEngine

/// How long a server keeps what would otherwise only grow, and how often it trims. Tombstones
/// and processed dots follow the engine's tombstone horizon (`SyncEngine.Configuration`).
public struct RetentionPolicy: Sendable, Hashable {
    /// Hours between runs of the retention service, the first at start; nil never runs it (the
    /// simulator runs `Retention` itself at its simulated instants).
    public var intervalHours: Double? = 6
    /// Days of devices' sync history (ops' per-device history pages).
    public var syncHistoryDays = 180.0
    /// Days the audit log (and the conflict log) keep an entry before it is archived to a file
    /// and deleted.
    public var auditLogDays = 180.0
    /// Days the security log keeps an entry before it is archived to a file and deleted.
    public var securityLogDays = 180.0
    /// Where archived entries go; nil: `archive` in the data directory.
    public var archiveDirectory: String?
    /// Entries archived per transaction (one archive file each).
    public var archiveBatch = 5_000

    /// The least either log may be kept: a graded-protection (等保) review expects network logs
    /// kept for no less than six months (Cybersecurity Law art. 21), so 180 days.
    public static let minimumLogDays = 180.0

    public init() {}

    /// Days `log` keeps an entry.
    public func days(_ log: RetainedLog) -> Double {
        switch log {
        case .audit, .conflict: auditLogDays
        case .security: securityLogDays
        }
    }
}
