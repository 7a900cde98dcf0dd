/// How concurrent writes to one field merge (DESIGN §4). Declared per field in `Schema`;
/// SyncCore reads it and never branches on field names.
public enum MergePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Eligibility figures: every concurrent value is kept and the record flagged until a
    /// reviewer's write, made having seen them all, supersedes them. Never resolved silently.
    case review
    /// Contact and descriptive fields: the value with the later hybrid logical clock wins (then
    /// the higher replica id); the loser is kept in the conflict log, labelled auto-resolved.
    case lww
    /// Set once when the record is created; later writes are refused. Corrections are new records.
    case immutable
    /// The household's workflow step: only allowed transitions; concurrent transitions are kept
    /// as a review conflict.
    case workflow

    /// Whether concurrent values flag the record for a reviewer.
    public var flagsConcurrentValues: Bool { self == .review || self == .workflow }
}
