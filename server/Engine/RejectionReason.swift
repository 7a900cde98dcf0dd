import FieldModel
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
    /// A transition whose `from` is not the status the server holds (or, for a writer that had
    /// not seen every stored value, the status its context saw on the workflow trail).
    case statusMismatch = "status_mismatch"
    /// The household's status holds concurrent values: only a resolution to one of them may follow.
    case statusConflict = "status_conflict"
    /// The worker did an earlier step of the household's application that excludes this one.
    case separationOfDuties = "separation_of_duties"
    /// The step needs a public notice listing the household that has started, or that has
    /// ended with every objection resolved.
    case noticeNotReady = "notice_not_ready"
    /// The device, or the village, has created its day's budget of households.
    case creationBudget = "creation_budget"
    /// Version 2: the change names its record by a handle the server does not hold (the record
    /// changed since the page that gave it, or was purged), or comes after such a change in the
    /// batch; nothing of it is recorded, and the device sends it again (by id).
    case unknownHandle = "unknown_handle"

    /// The reason a merge refusal travels as: SyncCore's codes are a subset with equal raw values.
    public init(_ code: Refusal.Code) {
        self = RejectionReason(rawValue: code.rawValue)!
    }

    /// The reason a policy rule's violation travels as.
    public init(_ code: RuleViolation.Code) {
        self = switch code {
        case .recusal: .recusal
        case .outOfScope: .outsideScope
        case .invalidTransition: .invalidTransition
        case .roleNotAllowed: .roleNotAllowed
        case .immutable: .immutable
        case .separationOfDuties: .separationOfDuties
        case .noticeNotReady: .noticeNotReady
        case .notDeletable: .notDeletable
        case .statusMismatch: .statusMismatch
        case .statusConflict: .statusConflict
        }
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
