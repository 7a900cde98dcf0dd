/// How long a deleted record is kept before it is purged (DESIGN §5): the server purges its
/// tombstones after this (its `SyncEngine.Configuration` may set another), a device drops its
/// confirmed ones after this, and a device away for longer bootstraps its villages again.
public enum TombstoneHorizon {
    /// 400 days: a year of field work and a month's slack.
    public static let defaultMilliseconds: Int64 = 400 * 86_400_000
}
