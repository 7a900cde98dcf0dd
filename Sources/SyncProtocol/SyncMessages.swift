import FieldModel
import SyncCore

/// The protocol versions this code speaks: it writes `current` and still reads and answers
/// `oldest` for one release (SPEC §9).
public enum SyncProtocolVersion {
    public static let current: UInt32 = 2
    public static let oldest: UInt32 = 1
    public static let supported: ClosedRange<UInt32> = oldest...current
}

/// A device's health figures, sent with every sync for ops to watch.
public struct DeviceHealth: Sendable, Hashable, Codable {
    public var outboxCount: Int
    /// When the oldest unacknowledged change was made (ms since the epoch), nil when none.
    public var oldestUnsyncedMilliseconds: Int64?
    public var localRecords: Int
    /// Free storage in bytes, nil when unknown.
    public var freeStorageBytes: Int64?
    public var rejectedCount: Int
    /// Attachment files still only on the device, their bytes, and when the oldest was taken
    /// (nil when none): evidence a lost phone would lose (SPEC §15).
    public var evidenceWaiting: Int
    public var evidenceWaitingBytes: Int64
    public var oldestEvidenceMilliseconds: Int64?

    public init(outboxCount: Int = 0, oldestUnsyncedMilliseconds: Int64? = nil, localRecords: Int = 0,
                freeStorageBytes: Int64? = nil, rejectedCount: Int = 0, evidenceWaiting: Int = 0, evidenceWaitingBytes: Int64 = 0,
                oldestEvidenceMilliseconds: Int64? = nil) {
        self.outboxCount = outboxCount
        self.oldestUnsyncedMilliseconds = oldestUnsyncedMilliseconds
        self.localRecords = localRecords
        self.freeStorageBytes = freeStorageBytes
        self.rejectedCount = rejectedCount
        self.evidenceWaiting = evidenceWaiting
        self.evidenceWaitingBytes = evidenceWaitingBytes
        self.oldestEvidenceMilliseconds = oldestEvidenceMilliseconds
    }
}

/// One sync request: the next outbox batch, the pull position, and the device's health.
public struct SyncRequest: Sendable, Hashable {
    public var protocolVersion: UInt32
    public var schemaVersion: UInt32
    public var replica: ReplicaID
    public var appVersion: String
    /// Pull position per village the device holds; a village in scope but absent starts at 0.
    public var cursors: [VillageCode: UInt64]
    /// Oldest first; every dot is the device's own.
    public var changes: [Change]
    public var health: DeviceHealth
    public var pageLimit: Int
    public var deviceTimeMilliseconds: Int64
    /// Sending: the handles the server gave the records the device names (version 2 sends a
    /// handle in place of the record's id). Not part of the message itself.
    public var recordHandles: [RecordID: UInt64] = [:]
    /// Received: per index into `changes`, the handle that named the change's record; the change
    /// carries `RecordID.unresolved` until the server resolves it (`resolvingHandles`).
    public var unresolvedHandles: [Int: UInt64] = [:]
    /// Version 2: the server epoch the device last saw (`SyncResponse.serverEpoch`), 0 before its
    /// first answer. A server whose epoch differs was restored since (SPEC §4, "Restores").
    public var serverEpoch: UInt64 = 0

    public init(schemaVersion: UInt32 = Schema.version, replica: ReplicaID, appVersion: String,
                cursors: [VillageCode: UInt64], changes: [Change], health: DeviceHealth, pageLimit: Int,
                deviceTimeMilliseconds: Int64, protocolVersion: UInt32 = SyncProtocolVersion.current) {
        self.protocolVersion = protocolVersion
        self.schemaVersion = schemaVersion
        self.replica = replica
        self.appVersion = appVersion
        self.cursors = cursors
        self.changes = changes
        self.health = health
        self.pageLimit = pageLimit
        self.deviceTimeMilliseconds = deviceTimeMilliseconds
    }
}

/// A change the server refused: which, the stable reason, and what was wrong.
public struct Rejection: Sendable, Hashable, Codable {
    public let counter: UInt64
    public let reason: String
    public let message: String

    public init(counter: UInt64, reason: String, message: String) {
        self.counter = counter
        self.reason = reason
        self.message = message
    }
}

/// A warning about the device's scope (for instance its size nearing the budget).
public struct ScopeWarning: Sendable, Hashable, Codable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// One sync response: what was acknowledged or refused, then a page of what changed.
public struct SyncResponse: Sendable, Hashable {
    public var protocolVersion: UInt32
    public var serverTimeMilliseconds: Int64
    /// Counters of the device's dots that are applied (now or before).
    public var acked: [UInt64]
    public var rejections: [Rejection]
    /// The current state of records that changed since the cursors.
    public var page: [RecordState]
    public var cursors: [VillageCode: UInt64]
    public var hasMore: Bool
    /// Per village, sent with the last page only.
    public var digests: [VillageCode: ScopeDigest]
    /// Villages the device must drop: no longer in its scope.
    public var droppedVillages: [VillageCode]
    /// Villages whose cursor fell behind the tombstone horizon: drop and pull again from 0.
    public var rebootstrapVillages: [VillageCode]
    public var warnings: [ScopeWarning]
    /// Version 2: each page record's handle (parallel to `page`; empty under version 1), by which
    /// the device may name the record in its next pushes.
    public var pageHandles: [UInt64] = []
    /// Version 2 (0 under version 1): the server's epoch, which changes when it is restored from a
    /// backup; the sequence the server had reached once this exchange's batch was applied; and the
    /// sequence its latest completed backup covers. A device keeps each acknowledged change until
    /// `backedUpThrough` reaches the `appliedThrough` it was acknowledged under (SPEC §4, "Restores").
    public var serverEpoch: UInt64 = 0
    public var appliedThrough: UInt64 = 0
    public var backedUpThrough: UInt64 = 0

    public init(serverTimeMilliseconds: Int64, acked: [UInt64] = [], rejections: [Rejection] = [],
                page: [RecordState] = [], cursors: [VillageCode: UInt64] = [:], hasMore: Bool = false,
                digests: [VillageCode: ScopeDigest] = [:], droppedVillages: [VillageCode] = [],
                rebootstrapVillages: [VillageCode] = [], warnings: [ScopeWarning] = [],
                protocolVersion: UInt32 = SyncProtocolVersion.current) {
        self.protocolVersion = protocolVersion
        self.serverTimeMilliseconds = serverTimeMilliseconds
        self.acked = acked
        self.rejections = rejections
        self.page = page
        self.cursors = cursors
        self.hasMore = hasMore
        self.digests = digests
        self.droppedVillages = droppedVillages
        self.rebootstrapVillages = rebootstrapVillages
        self.warnings = warnings
    }
}

extension SyncRequest {
    /// The request with every handle-named change given its record's id from `ids` (handle → id,
    /// as the server holds them); `unknown` lists the indexes of changes whose handle `ids` lacks,
    /// which keep `RecordID.unresolved`.
    public func resolvingHandles(_ ids: [UInt64: RecordID]) -> (request: SyncRequest, unknown: [Int]) {
        var resolved = self
        var unknown: [Int] = []
        for (index, handle) in unresolvedHandles.sorted(by: { $0.key < $1.key }) {
            guard let id = ids[handle] else { unknown.append(index); continue }
            let change = changes[index]
            resolved.changes[index] = Change(dot: change.dot, record: RecordKey(change.record.collection, id, scope: change.record.scope),
                                             operation: change.operation, context: change.context, hlc: change.hlc,
                                             author: change.author, schemaVersion: change.schemaVersion)
        }
        resolved.unresolvedHandles = Dictionary(uniqueKeysWithValues: unknown.map { ($0, unresolvedHandles[$0]!) })
        return (resolved, unknown)
    }
}
