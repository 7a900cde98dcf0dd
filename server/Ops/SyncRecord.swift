import FieldModel

/// One sync exchange as the server saw it: who, when, how long, what moved, how it ended, and
/// the health figures the device sent with it.
public struct SyncRecord: Sendable, Hashable, Codable {
    public var deviceID: String
    public var worker: WorkerID
    public var atMilliseconds: Int64
    public var durationMilliseconds: Int64
    public var pushed: Int
    public var rejected: Int
    public var pulled: Int
    public var bytesIn: Int
    public var bytesOut: Int
    /// `ok`, or the error code the exchange ended with.
    public var result: String
    public var reason: String?
    /// The device's figures, when its request could be read.
    public var health: Health?
    /// The scope's size was over the warning level (or blocked).
    public var overBudget: Bool
    /// The regions whose trends the exchange counts in (`Assignment.trendRegions`); not part of
    /// the history's JSON.
    public var regions: [Int64]

    public struct Health: Sendable, Hashable, Codable {
        public var outboxCount: Int
        public var oldestUnsyncedMilliseconds: Int64?
        public var localRecords: Int
        public var freeStorageBytes: Int64?
        public var appVersion: String
        public var schemaVersion: Int
        /// Attachment files still only on the phone, their bytes, when the oldest was taken;
        /// nil from devices (and history) before attachments.
        public var evidenceWaiting: Int?
        public var evidenceWaitingBytes: Int64?
        public var oldestEvidenceMilliseconds: Int64?

        public init(outboxCount: Int, oldestUnsyncedMilliseconds: Int64?, localRecords: Int, freeStorageBytes: Int64?,
                    appVersion: String, schemaVersion: Int, evidenceWaiting: Int? = nil, evidenceWaitingBytes: Int64? = nil,
                    oldestEvidenceMilliseconds: Int64? = nil) {
            self.evidenceWaiting = evidenceWaiting
            self.evidenceWaitingBytes = evidenceWaitingBytes
            self.oldestEvidenceMilliseconds = oldestEvidenceMilliseconds
            self.outboxCount = outboxCount
            self.oldestUnsyncedMilliseconds = oldestUnsyncedMilliseconds
            self.localRecords = localRecords
            self.freeStorageBytes = freeStorageBytes
            self.appVersion = appVersion
            self.schemaVersion = schemaVersion
        }
    }

    public init(deviceID: String, worker: WorkerID, atMilliseconds: Int64, durationMilliseconds: Int64, pushed: Int, rejected: Int,
                pulled: Int, bytesIn: Int, bytesOut: Int, result: String, reason: String?, health: Health?, overBudget: Bool,
                regions: [Int64] = []) {
        self.deviceID = deviceID
        self.worker = worker
        self.atMilliseconds = atMilliseconds
        self.durationMilliseconds = durationMilliseconds
        self.pushed = pushed
        self.rejected = rejected
        self.pulled = pulled
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.result = result
        self.reason = reason
        self.health = health
        self.overBudget = overBudget
        self.regions = regions
    }

    public var succeeded: Bool { result == "ok" }
}

/// A device's latest state, kept beside its history so the ops page reads one row per device.
public struct DeviceStatus: Sendable, Hashable, Codable {
    public var deviceID: String
    public var worker: WorkerID
    public var lastSyncMilliseconds: Int64
    public var lastSuccessMilliseconds: Int64?
    public var lastFailureMilliseconds: Int64?
    public var lastFailure: String?
    public var lastDurationMilliseconds: Int64
    /// The latest health figures the device sent.
    public var health: SyncRecord.Health?
    public var overBudget: Bool

    public init(deviceID: String, worker: WorkerID, lastSyncMilliseconds: Int64, lastSuccessMilliseconds: Int64?, lastFailureMilliseconds: Int64?,
                lastFailure: String?, lastDurationMilliseconds: Int64, health: SyncRecord.Health?, overBudget: Bool) {
        self.deviceID = deviceID
        self.worker = worker
        self.lastSyncMilliseconds = lastSyncMilliseconds
        self.lastSuccessMilliseconds = lastSuccessMilliseconds
        self.lastFailureMilliseconds = lastFailureMilliseconds
        self.lastFailure = lastFailure
        self.lastDurationMilliseconds = lastDurationMilliseconds
        self.health = health
        self.overBudget = overBudget
    }
}
