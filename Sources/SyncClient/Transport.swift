/// Carries one sync exchange: deflated request bytes out, deflated response bytes back.
///
/// The caller owns the transport (HTTP on a device, in memory in tests and the simulator); the
/// session logic never touches the network itself.
public protocol Transport: Sendable {
    func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8]
}

/// Why an exchange produced no response.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No connection, a timeout, or a connection cut mid-transfer: try again later.
        case unreachable
        /// The server answered with an error status and `{code, message}`.
        case refused(status: Int, code: String)
        /// Too many requests: wait `retryAfterSeconds`.
        case rateLimited(retryAfterSeconds: Int)
    }

    public let kind: Kind
    public let message: String
    /// With a refusal as `revoked`: the server's instruction to wipe the device — `lost` (at
    /// once) or `retired` (once nothing is left unsynced). SPEC §11.7.
    public var wipe: String?

    public init(_ kind: Kind, _ message: String, wipe: String? = nil) {
        self.kind = kind
        self.message = message
        self.wipe = wipe
    }

    public static func unreachable(_ message: String) -> TransportError { TransportError(.unreachable, message) }

    public var description: String {
        switch kind {
        case .unreachable: "unreachable: \(message)"
        case .refused(let status, let code): "\(status) \(code): \(message)"
        case .rateLimited(let s): "429 rate_limited (retry after \(s) s): \(message)"
        }
    }
}
