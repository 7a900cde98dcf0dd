/// The one error of ops: a stable code and a message naming the value that caused it.
public struct OpsError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A stored `health` column that does not hold health figures.
        case unreadableHealth = "unreadable_health"
        /// An ops page asked with a malformed code or parameter: its page is a 400.
        case badRequest = "bad_request"
        /// An ops page of a place, device or list page that does not exist: its page is a 404.
        case notFound = "not_found"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
