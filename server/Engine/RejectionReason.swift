import SyncCore

/// Why the server refused one change (SPEC §6). The raw values are stable: they travel as
/// `Rejection.reason` and devices show them to the worker.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable {
    case outsideScope = "outside_scope"
    case recusal = "recusal"
    case roleNotAllowed = "role_not_allowed"
    case invalidValue = "invalid_value"
    case invalidTransition = "invalid_transition"
    case immutable = "immutable"
    case unknownField = "unknown_field"
    case dotReused = "dot_reused"
    case duplicateCreate = "duplicate_create"
    case notDeletable = "not_deletable"
    case wrongRecord = "wrong_record"
    case contextAhead = "context_ahead"
    /// The context forgets a write of the sender to the record that the server applied.
    case contextRegressed = "context_regressed"
    case counterRegressed = "counter_regressed"
    case clockAhead = "clock_ahead"
    case unknownSchemaVersion = "unknown_schema_version"
    /// The change's author is not the worker the device's token belongs to.
    case authorMismatch = "author_mismatch"
    /// A set, transition or delete of a record that was never created (or was purged).
    case unknownRecord = "unknown_record"

    /// The reason a merge refusal travels as: SyncCore's codes are a subset with equal raw values.
    public init(_ code: Refusal.Code) {
        self = RejectionReason(rawValue: code.rawValue)!
    }
}

/// What happened to one change of a push.
public struct PushOutcome: Sendable, Hashable, CustomStringConvertible {
    public let dot: Dot
    public let status: Status

    public enum Status: Sendable, Hashable {
        /// Merged into the record now.
        case applied
        /// Accepted; a write that had seen it was applied first, so the state already reflects it.
        case superseded
        /// Processed by an earlier request with the same content: acknowledged again, nothing done.
        case replayed
        case rejected(RejectionReason, String)
    }

    public init(dot: Dot, status: Status) {
        self.dot = dot
        self.status = status
    }

    /// Whether the device may drop the change from its outbox.
    public var isAcknowledged: Bool {
        if case .rejected = status { false } else { true }
    }

    public var rejectionReason: RejectionReason? {
        if case .rejected(let r, _) = status { r } else { nil }
    }

    public var description: String {
        switch status {
        case .applied: "\(dot) applied"
        case .superseded: "\(dot) superseded"
        case .replayed: "\(dot) replayed"
        case .rejected(let r, let m): "\(dot) rejected \(r.rawValue): \(m)"
        }
    }
}
