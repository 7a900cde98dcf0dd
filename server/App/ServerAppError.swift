/// The one error of assembling and running a server: a stable code and a message naming the
/// values that caused it and what to do.
public struct ServerAppError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A setting out of its domain, of the wrong type, or not a setting at all.
        case invalidConfiguration = "invalid_configuration"
        /// The configuration file cannot be read or parsed.
        case configurationFile = "configuration_file"
        /// The data directory or the administrator token cannot be written.
        case dataDirectory = "data_directory"
        /// A retention run could not archive a log before trimming it; nothing was deleted.
        case archive = "archive"
        /// The server did not start listening.
        case notStarted = "not_started"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
