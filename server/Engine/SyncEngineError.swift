/// The one error of the server engine and its stores: a stable code and a message naming the
/// values that caused it. A request that fails with one changes nothing.
///
/// Codes of whole requests match SPEC §7; a storage failure never exposes the backend's types,
/// only its description.
public struct SyncEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The request's replica (or a change's dot) is not the token's replica. HTTP 403.
        case replicaMismatch = "replica_mismatch"
        /// The device's schema version is ahead of the server's. HTTP 426.
        case schemaTooNew = "schema_too_new"
        /// The worker's scope is over the blocking size budget. HTTP 409.
        case scopeBlocked = "scope_blocked"
        /// A protocol version the engine does not speak. HTTP 400.
        case unsupportedProtocol = "unsupported_protocol"
        /// More changes than a batch may carry. HTTP 413.
        case tooManyElements = "too_many_elements"
        /// An argument out of its domain (a counter count below 1, …). HTTP 400.
        case invalidArgument = "invalid_argument"
        /// A record the server does not hold (a filing to withdraw). HTTP 404.
        case unknownRecord = "unknown_record"
        /// The storage backend failed or holds something unreadable. HTTP 500.
        case storage = "storage"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
