/// A value that failed one of the field model's checks.
///
/// Every failure names the field and the problem, and carries the offending value in its
/// message unless the field is sensitive (`withoutValue`; an ID-card number never appears), so
/// an app can show it and a server can return it as a stable code.
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

    /// The same failure told without the value: for sensitive fields, whose values no message,
    /// log or stored rejection may carry.
    public var withoutValue: ValidationError {
        let said: String = switch problem {
        case .empty: "a value is required"
        case .tooLong: "the value is too long"
        case .wrongLength: "the value has the wrong length"
        case .invalidCharacter: "the value has a character the field does not allow"
        case .controlCharacter: "the value has a control character"
        case .badCheckDigit: "the check character does not match the other digits"
        case .impossibleDate: "the birth date it holds does not exist"
        case .implausibleBirthDate: "the birth date it holds is before 1900 or after today"
        case .unknownRegion: "its region prefix is not a division code"
        case .negative: "the value is negative"
        case .tooLarge: "the value is over the field's limit"
        case .inFuture: "the date is too far ahead"
        case .tooOld: "the date is too long ago"
        case .unknownValue: "the value is not one the field allows"
        case .outOfRange: "the value is outside the field's range"
        case .inconsistent: "the value contradicts another"
        }
        return ValidationError(field: field, problem: problem, message: said + " (the value is not repeated: the field is sensitive)")
    }
}
