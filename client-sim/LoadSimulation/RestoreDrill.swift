import SyncCore

/// A restore drill played by a load run (SPEC §4, "Restores"): a backup is taken while the
/// devices of `backupDay` work and sync, the devices go on working through the remaining days,
/// then, before the heal, `restore` stops the server, puts the backup in place and starts it
/// again (on the same address). The verification then also requires every change a device had
/// acknowledged before the restore to be on the restored server exactly once, none refused.
public struct RestoreDrill: Sendable {
    /// The day (from 0) during which the backup is taken.
    public var backupDay: Int
    public var backup: @Sendable () async throws -> Void
    public var restore: @Sendable () async throws -> Void

    public init(backupDay: Int, backup: @escaping @Sendable () async throws -> Void, restore: @escaping @Sendable () async throws -> Void) {
        self.backupDay = backupDay
        self.backup = backup
        self.restore = restore
    }
}

extension LoadDevice {
    /// The device's writes the server has acknowledged: committed, neither pending nor refused.
    func acknowledgedDots() throws -> Set<Dot> {
        let summary = try replica.outboxSummary()
        let unacknowledged = Set(summary.rejected.map(\.change.dot)).union(try replica.pendingChanges().map(\.dot))
        return Set(ledger.keys).subtracting(unacknowledged)
    }
}
