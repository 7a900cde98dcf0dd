import FieldModel
import SyncCore

/// Why a replica refused a write or could not do what was asked. Never exposes GRDB's types.
public struct ReplicaError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A value failed FieldModel's validation (see `validation`).
        case invalidValue = "invalid_value"
        /// A policy rule refused the write (see `rule`).
        case ruleViolation = "rule_violation"
        /// The record does not exist on this device.
        case notFound = "not_found"
        /// The write makes no sense for the record (e.g. a visit for a household of another village).
        case inconsistent = "inconsistent"
        /// The database could not be read or written (disk full, I/O error, corruption).
        case storage = "storage"
        /// The database file is not a Doorstep replica, or is of a newer version.
        case incompatible = "incompatible"
        /// An evidence file is not a JPEG, PNG or PDF (by its first bytes).
        case unsupportedContentType = "unsupported_content_type"
        /// An evidence file, or a visit's evidence together, is over the device's cap.
        case fileTooLarge = "file_too_large"
    }

    public let code: Code
    public let message: String
    public let validation: ValidationError?
    public let rule: RuleViolation?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.validation = nil
        self.rule = nil
    }

    public init(_ error: ValidationError) {
        code = .invalidValue
        message = error.description
        validation = error
        rule = nil
    }

    public init(_ error: RuleViolation) {
        code = .ruleViolation
        message = error.description
        validation = nil
        rule = error
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
