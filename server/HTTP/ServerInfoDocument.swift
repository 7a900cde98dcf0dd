import FieldModel
import Foundation
import ServerEngine
import SyncProtocol

/// What `GET /v1/info` answers: what a client must know before it sends a change — the protocol
/// and schema versions this server speaks, the limits it enforces (SPEC §8, §11.2) and its clock
/// — so a client written from the documents learns them without trial and error.
public struct ServerInfoDocument: Codable, Sendable, Hashable {
    /// Every `protocol_version` a sync request may carry.
    public let protocolVersions: [UInt32]
    /// The field schema's version (`Schema.version`): a device ahead of it is refused 426.
    public let schemaVersion: UInt32
    /// The oldest schema version whose changes the server still accepts (and migrates).
    public let oldestSchemaVersion: UInt32
    public let serverTimeMilliseconds: Int64
    /// The same instant in ISO 8601 (UTC, milliseconds).
    public let serverTime: String
    public let limits: Limits

    /// The limits a client has to respect, as this server is configured.
    public struct Limits: Codable, Sendable, Hashable {
        /// A sync body as sent (deflated).
        public let maxSyncBodyBytes: Int
        /// What a sync body may inflate to.
        public let maxInflatedBytes: Int
        /// Inflated to compressed, as n in n:1, enforced once past `expansionRatioFloorBytes`.
        public let maxExpansionRatio: Int
        public let expansionRatioFloorBytes: Int
        /// Changes in one pushed batch.
        public let maxChangesPerPush: Int
        /// Records in one pulled page: a request's page size of 0 asks for the default, more
        /// than the maximum is served the maximum.
        public let defaultPageSize: Int
        public let maxPageSize: Int
        public let maxColumnEntries: Int
        public let maxTextBytes: Int
        /// Replicas or authors named in one message.
        public let maxTableEntries: Int
        /// Villages in one message's cursors or digests.
        public let maxVillages: Int
        public let maxJSONBodyBytes: Int
        public let maxRosterBodyBytes: Int
        /// A device credential's token bucket: a burst, then a steady rate (429 past it).
        public let deviceBurst: Double
        public let deviceRequestsPerSecond: Double
        /// Enrolments per client address.
        public let enrolmentBurst: Double
        public let enrolmentsPerSecond: Double
        /// Live records in a worker's scope above which sync warns, and above which it is refused.
        public let scopeWarningRecords: Int
        public let scopeBlockingRecords: Int
        /// How far a change's clock may run ahead of the server's.
        public let clockAheadToleranceMilliseconds: Int64
        /// The largest attachment file, and the largest chunk of one upload request (SPEC §15).
        public let attachmentMaxBytes: Int64
        public let chunkMaxBytes: Int
        /// A device's attachment chunks: bytes at once, then per second (429 past it), apart from
        /// its requests; a chunk counts at least `uploadMinimumChunkBytes`.
        public let uploadBurstBytes: Double
        public let uploadBytesPerSecond: Double
        public let uploadMinimumChunkBytes: Int
    }

    public init(limits: ServerLimits, engine: SyncEngine.Configuration, now: Int64) {
        protocolVersions = Array(SyncProtocolVersion.supported)
        schemaVersion = Schema.version
        oldestSchemaVersion = Schema.oldestSupportedVersion
        serverTimeMilliseconds = now
        serverTime = Self.iso8601(milliseconds: now)
        let message = limits.message
        self.limits = Limits(
            maxSyncBodyBytes: limits.maxSyncBodyBytes, maxInflatedBytes: message.frame.maxDecompressedBytes,
            maxExpansionRatio: message.frame.maxExpansionRatio, expansionRatioFloorBytes: message.frame.expansionRatioFloor,
            maxChangesPerPush: min(engine.maxChanges, message.maxChanges), defaultPageSize: engine.defaultPageSize,
            maxPageSize: min(engine.maxPageSize, message.maxRecords), maxColumnEntries: message.maxColumnEntries,
            maxTextBytes: message.maxTextBytes, maxTableEntries: message.maxTableEntries, maxVillages: message.maxVillages,
            maxJSONBodyBytes: limits.maxJSONBodyBytes, maxRosterBodyBytes: limits.maxRosterBodyBytes,
            deviceBurst: limits.deviceBurst, deviceRequestsPerSecond: limits.deviceRequestsPerSecond,
            enrolmentBurst: limits.enrolmentBurst, enrolmentsPerSecond: limits.enrolmentsPerSecond,
            scopeWarningRecords: engine.scopeWarningRecords, scopeBlockingRecords: engine.scopeBlockingRecords,
            clockAheadToleranceMilliseconds: engine.clockAheadToleranceMilliseconds,
            attachmentMaxBytes: engine.policy.attachmentMaxBytes, chunkMaxBytes: limits.chunkMaxBytes,
            uploadBurstBytes: limits.uploadBurstBytes, uploadBytesPerSecond: limits.uploadBytesPerSecond,
            uploadMinimumChunkBytes: ServerLimits.uploadMinimumChunkCost)
    }

    /// `2026-03-05T08:00:00.123Z` for the instant `milliseconds` after the epoch.
    static func iso8601(milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
