/// When a figure turns amber or red, and when a problem becomes an alert. Configurable per server.
public struct OpsThresholds: Sendable, Hashable, Codable {
    /// Days since the last successful sync: amber from, red from.
    public var lastSyncAmberDays = 3.0
    public var lastSyncRedDays = 7.0
    /// Seconds one exchange took: amber from, red from.
    public var durationAmberSeconds = 20.0
    public var durationRedSeconds = 60.0
    /// Alert: a device holding unsynced changes older than this.
    public var unsyncedAlertDays = 3.0
    /// Alert: a device holding evidence (attachment files) taken longer ago than this and not uploaded.
    public var evidenceAlertDays = 3.0
    /// Alert: a village none of whose devices synced successfully for this long.
    public var silentVillageDays = 7.0
    /// Alert: a conflict waiting for a reviewer longer than this.
    public var conflictWaitingDays = 7.0
    /// A place turns red when fewer than this percent of its devices synced within 7 days.
    public var syncedShareRedPercent = 50.0

    public init() {}
}

/// A figure's colour on the page.
public enum Signal: String, Sendable, Hashable, Codable, Comparable {
    case green, amber, red

    public static func < (a: Signal, b: Signal) -> Bool {
        let order: [Signal] = [.green, .amber, .red]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }

    static func of(_ value: Double, amber: Double, red: Double) -> Signal { value >= red ? .red : value >= amber ? .amber : .green }
}
