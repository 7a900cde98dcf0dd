/// What a store knows of its backups and restores, read in one snapshot (SPEC §4, "Restores").
///
/// `epoch` is 1 for a database never restored and a fresh random value after each restore
/// (`SyncStore.markRestored`), so a device that saw another epoch knows the server lost what came
/// after the backup it was restored from. `lastSequence` is the highest sequence committed;
/// `backedUpThrough` the highest sequence the latest completed backup holds (0 before any), taken
/// at `backedUpAtMilliseconds`.
public struct RecoveryMark: Sendable, Hashable {
    public var epoch: UInt64
    public var lastSequence: UInt64
    public var backedUpThrough: UInt64
    public var backedUpAtMilliseconds: Int64

    public init(epoch: UInt64, lastSequence: UInt64, backedUpThrough: UInt64, backedUpAtMilliseconds: Int64) {
        self.epoch = epoch
        self.lastSequence = lastSequence
        self.backedUpThrough = backedUpThrough
        self.backedUpAtMilliseconds = backedUpAtMilliseconds
    }

    /// The epoch of a database never restored.
    public static let firstEpoch: UInt64 = 1

    /// How far the server's own replica counter jumps at a restore: past any counter the lost
    /// server could have handed out after the backup, so no server dot is ever given twice.
    public static let serverCounterJump: UInt64 = 1 << 32
}
