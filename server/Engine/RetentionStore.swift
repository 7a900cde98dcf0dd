/// What a server's retention removes from its store, so that no table grows for ever. Every
/// method commits completely or changes nothing; errors are `SyncEngineError`.
public protocol RetentionStore: Sendable {
    /// Forgets the verdicts of dots decided before `milliseconds` that their replica has moved
    /// past (it sent a batch starting above them, so it holds none of them unacknowledged).
    /// Each replica's highest counter stays: such a dot sent again is refused as
    /// `counter_regressed`, never applied twice. Returns how many were forgotten.
    func compactProcessedDots(decidedBefore milliseconds: Int64) async throws -> Int

    /// Removes devices' sync history recorded before `milliseconds`; their status rows stay.
    func trimSyncHistory(before milliseconds: Int64) async throws -> Int

    /// In one transaction: reads at most `limit` of the oldest entries of `log` written before
    /// `milliseconds`, hands them to `archive` — which must have them safely stored when it
    /// returns, and returns the archive's name and digest — records the last of them as the
    /// log's anchor, and deletes them. When `archive` throws, nothing is deleted. Counts the
    /// metrics read from the log (applied changes, conflict events) keep what was deleted.
    /// Returns how many entries were archived and deleted (0 when none was old enough).
    func archiveLog(_ log: RetainedLog, before milliseconds: Int64, limit: Int,
                    archive: @escaping @Sendable (LogBatch) throws -> ArchiveFile) async throws -> Int

    /// Makes the space of removed rows reusable at once: PostgreSQL vacuums the tables the
    /// retention trims (autovacuum would, later); SQLite reuses freed pages by itself.
    func reclaimSpace() async throws

    /// The last archived entry of `log`, nil before the first archive: where the kept entries
    /// (and any chain over them) continue from.
    func logAnchor(_ log: RetainedLog) async throws -> LogAnchor?
}

/// An append-only log the retention archives before trimming it.
public enum RetainedLog: String, Sendable, Hashable, CaseIterable, Codable {
    /// Who wrote what, when, from which device.
    case audit = "audit_log"
    /// Enrolments, revocations, administrator actions, refused requests.
    case security = "security_log"
    /// Concurrent writes and how each was resolved.
    case conflict = "conflict_log"
}

/// One entry as archived: every column of its row as a JSON object (bytes as `\x` hex).
public struct ArchivedEntry: Sendable, Hashable {
    public let id: Int64
    public let atMilliseconds: Int64
    public let json: String

    public init(id: Int64, atMilliseconds: Int64, json: String) {
        self.id = id
        self.atMilliseconds = atMilliseconds
        self.json = json
    }
}

/// The entries one archive holds, oldest first, and the anchor they continue from.
public struct LogBatch: Sendable, Hashable {
    public let log: RetainedLog
    public let previous: LogAnchor?
    public let entries: [ArchivedEntry]

    public init(log: RetainedLog, previous: LogAnchor?, entries: [ArchivedEntry]) {
        self.log = log
        self.previous = previous
        self.entries = entries
    }
}

/// Where an archive was stored: its name and the SHA-256 of its content (hex).
public struct ArchiveFile: Sendable, Hashable, Codable {
    public let name: String
    public let digest: String

    public init(name: String, digest: String) {
        self.name = name
        self.digest = digest
    }
}

/// The last archived entry of a log and the archive holding it. The entries kept continue
/// from it: a chain over the log is verified from this entry on, and the archives chain back
/// through each one's `previous`.
public struct LogAnchor: Sendable, Hashable, Codable {
    public let log: RetainedLog
    public let throughID: Int64
    public let throughAtMilliseconds: Int64
    /// The entry itself, as archived.
    public let entry: String
    public let archive: ArchiveFile

    public init(log: RetainedLog, throughID: Int64, throughAtMilliseconds: Int64, entry: String, archive: ArchiveFile) {
        self.log = log
        self.throughID = throughID
        self.throughAtMilliseconds = throughAtMilliseconds
        self.entry = entry
        self.archive = archive
    }
}
