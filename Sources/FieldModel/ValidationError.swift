/// A value that failed one of the field model's checks.
///
/// Every failure names the field and the problem, and carries the offending value in its
/// message unless the field is sensitive (`Schema.isSensitive`; no part of an ID-card number
/// ever appears), so an app can show it and a server can return it as a stable code.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: String, Sendable, Hashable, CaseIterable {
        case empty
        case tooLong
        case wrongLength
        case invalidCharacter
        case controlCharacter
        case badCheckDigit
        case impossibleDate
        case implausibleBirthDate
        case unknownRegion
        case negative
        case tooLarge
        case inFuture
        case tooOld
        case unknownValue
        case outOfRange
        case inconsistent
    }

    /// The field, as `collection.field` (e.g. `member.idNumber`) or a bare name for free values.
    public let field: String
    public let problem: Problem
    public let message: String

    public init(field: String, problem: Problem, message: String) {
        self.field = field
        self.problem = problem
        self.message = message
    }

    public var description: String { "\(field): \(problem.rawValue): \(message)" }
}
