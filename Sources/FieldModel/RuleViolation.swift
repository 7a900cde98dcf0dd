/// A write that the policy forbids: refused on the device and refused again by the server.
///
/// `code` is stable (it travels as a rejection reason); `message` names the values involved.
public struct RuleViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// 回避: the worker filed the household as a close relative's.
        case recusal
        /// The record's village is outside the worker's jurisdiction.
        case outOfScope
        /// A workflow step that skips or reverses the process.
        case invalidTransition
        /// The worker's role may not write this field or make this transition.
        case roleNotAllowed
        /// A write to a field or record that is set once at creation.
        case immutable
        /// The worker did an earlier step of the household's application that excludes this one.
        case separationOfDuties
        /// The step needs a public notice listing the household that has started, or that has
        /// ended with every objection resolved.
        case noticeNotReady
        /// The record may not be deleted: it reached investigation, or it is not the author's own.
        case notDeletable
        /// A transition whose `from` is not the status the writer saw.
        case statusMismatch
        /// The status holds concurrent values: only a resolution to one of them may follow.
        case statusConflict
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
