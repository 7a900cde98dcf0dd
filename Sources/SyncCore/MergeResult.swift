import FieldModel

/// What applying one change did.
public struct MergeResult: Sendable, Hashable {
    public let outcome: Outcome
    /// Conflicts this change opened or resolved.
    public let events: [ConflictEvent]

    public enum Outcome: Sendable, Hashable {
        /// The change is part of the state now.
        case applied
        /// The same change was applied before: nothing changed.
        case duplicate
        /// A write that saw this one was applied before, so it is already superseded: nothing changed.
        case superseded
        /// The change breaks a rule of the record's schema: nothing changed.
        case refused(Refusal)
    }

    public static let duplicate = MergeResult(outcome: .duplicate, events: [])
    public static let superseded = MergeResult(outcome: .superseded, events: [])
    static func refused(_ code: Refusal.Code, _ message: String) -> MergeResult {
        MergeResult(outcome: .refused(Refusal(code: code, message: message)), events: [])
    }
}

/// Why a merge refused a change. The code is stable; it travels as a rejection reason.
public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The change names a different record, collection or scope than the state.
        case wrongRecord = "wrong_record"
        /// The same dot was applied with different content.
        case dotReused = "dot_reused"
        /// A second create for a record that exists under another dot.
        case duplicateCreate = "duplicate_create"
        /// A field the collection does not declare.
        case unknownField = "unknown_field"
        /// A write to a field (or a record) set once at creation.
        case immutable = "immutable"
        /// A workflow step that is not allowed, or a plain write to a workflow field.
        case invalidTransition = "invalid_transition"
        /// A delete of a record its collection does not allow to be deleted.
        case notDeletable = "not_deletable"
    }

    public let code: Code
    public let message: String
    public var description: String { "\(code.rawValue): \(message)" }
}

/// A conflict as merging saw it, for the conflict log and the reviewer's list.
public enum ConflictEvent: Sendable, Hashable {
    /// Concurrent `lww` writes: `winner` shows, `losers` are logged as auto-resolved.
    case autoResolved(field: FieldID, winner: Sibling, losers: [Sibling])
    /// Concurrent values of a `review` or `workflow` field, all kept; the record is flagged.
    case needsReview(field: FieldID, siblings: [Sibling])
    /// A write that saw every concurrent value replaced them: the conflict is closed.
    case resolved(field: FieldID, by: Sibling)
    /// A delete and a concurrent write: the write is kept and the record flagged.
    case deleteConflict(tombstones: [Sibling])
}
