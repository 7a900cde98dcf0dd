import FieldModel
import SyncCore

/// One page of a pull, read in one snapshot of the store.
public struct PullPage: Sendable {
    /// Current states, in sequence order.
    public var records: [RecordState]
    /// Each record's sequence number, parallel to `records`: its handle for the device (SPEC §5).
    public var sequences: [UInt64]
    /// More records wait above `watermark`.
    public var hasMore: Bool
    /// The new position for every requested village: the last record's sequence when the page
    /// is full, otherwise the store's highest committed sequence (nothing up to it is missing).
    public var watermark: UInt64
    /// Per requested village, only when `hasMore` is false; from the same snapshot as the records,
    /// so a concurrent push can never show a device a digest its page does not explain.
    public var digests: [VillageCode: ScopeDigest]
    /// The purge mark in the page's snapshot: the engine checks that the cursors it judged
    /// fresh were fresh for this very snapshot.
    public var purgeMark: PurgeMark

    public init(records: [RecordState], sequences: [UInt64], hasMore: Bool, watermark: UInt64, digests: [VillageCode: ScopeDigest],
                purgeMark: PurgeMark = .none) {
        self.records = records
        self.sequences = sequences
        self.hasMore = hasMore
        self.watermark = watermark
        self.digests = digests
        self.purgeMark = purgeMark
    }
}
