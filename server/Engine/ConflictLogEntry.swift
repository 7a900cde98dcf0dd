import FieldModel
import SyncCore

/// A conflict as the server logged it: opened for a reviewer, auto-resolved (`lww`), closed by
/// a write that saw every value, or a delete against a concurrent write.
///
/// It names the writes by dot, not their values: a reviewer reads values from the record, and
/// the log may outlive the record (and must not copy ID-card numbers around).
public struct ConflictLogEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case autoResolved = "auto_resolved"
        case needsReview = "needs_review"
        case resolved = "resolved"
        case deleteConflict = "delete_conflict"
    }

    public var atMilliseconds: Int64
    public var record: RecordKey
    public var kind: Kind
    /// The field, nil for a delete conflict.
    public var field: FieldID?
    /// The losers of an auto-resolution, the concurrent values awaiting review, or the standing
    /// tombstones of a delete conflict.
    public var dots: [Dot]
    /// The auto-resolution's winner, or the write that resolved the conflict.
    public var winner: Dot?
    /// The change whose arrival produced the event.
    public var cause: Dot

    public init(atMilliseconds: Int64, record: RecordKey, kind: Kind, field: FieldID?, dots: [Dot], winner: Dot?, cause: Dot) {
        self.atMilliseconds = atMilliseconds
        self.record = record
        self.kind = kind
        self.field = field
        self.dots = dots
        self.winner = winner
        self.cause = cause
    }

    /// The log entries for the events one applied change produced.
    public static func entries(for events: [ConflictEvent], of change: Change, at now: Int64) -> [ConflictLogEntry] {
        events.map { event in
            switch event {
            case .autoResolved(let field, let winner, let losers):
                ConflictLogEntry(atMilliseconds: now, record: change.record, kind: .autoResolved, field: field,
                                 dots: losers.map(\.dot), winner: winner.dot, cause: change.dot)
            case .needsReview(let field, let siblings):
                ConflictLogEntry(atMilliseconds: now, record: change.record, kind: .needsReview, field: field,
                                 dots: siblings.map(\.dot), winner: nil, cause: change.dot)
            case .resolved(let field, let by):
                ConflictLogEntry(atMilliseconds: now, record: change.record, kind: .resolved, field: field,
                                 dots: [], winner: by.dot, cause: change.dot)
            case .deleteConflict(let tombstones):
                ConflictLogEntry(atMilliseconds: now, record: change.record, kind: .deleteConflict, field: nil,
                                 dots: tombstones.map(\.dot), winner: nil, cause: change.dot)
            }
        }
    }
}
