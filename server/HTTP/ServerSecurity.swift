import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// How the server meets its clients: whether they reach it over HTTPS (TLS terminated by the
/// server itself or by a proxy in front), which proxies' `X-Forwarded-For` it believes, and how
/// long a connection may stay silent.
public struct ServerSecurity: Sendable, Hashable {
    /// Clients reach the server over HTTPS: cookies are `Secure` and every response carries
    /// `Strict-Transport-Security`.
    public var https = false
    /// `Strict-Transport-Security: max-age` (seconds): a year.
    public var hstsMaxAgeSeconds = 31_536_000
    /// Peers whose `X-Forwarded-For` names the client (a proxy's address, or a network in CIDR
    /// form such as `10.0.0.0/8`). Any other peer is the client itself.
    public var trustedProxies: [String] = []
    /// How long a connection may stay idle between requests, and how long a request may go
    /// without sending a byte of its body, before the server closes it (seconds).
    public var idleTimeoutSeconds = 75.0
    public var readTimeoutSeconds = 30.0

    public init() {}

    /// Content-Security-Policy and friends, on every HTML page: nothing but the page's own
    /// inline style, no frame may hold it, no referrer leaks a device id.
    static let htmlHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
    ]

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
    /// in `X-Forwarded-For` that is not itself a trusted proxy.
    func clientAddress(peer: SocketAddress?, forwardedFor: String?) -> String {
        let peerAddress = peer?.ipAddress ?? "unknown"
        guard isTrusted(peerAddress), let forwardedFor else { return peerAddress }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !isTrusted($0) } ?? hops.first ?? peerAddress
    }

    func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { Self.matches(address, $0) }
    }

    /// Whether `address` is `pattern` (an address) or inside it (`address/bits`), IPv4 or IPv6.
    static func matches(_ address: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "/", maxSplits: 1)
        guard let network = bytes(String(parts[0])), let candidate = bytes(address), network.count == candidate.count else { return false }
        let bits = parts.count == 2 ? Int(parts[1]) ?? -1 : network.count * 8
        guard (0...network.count * 8).contains(bits) else { return false }
        for i in 0..<network.count {
            let take = min(8, max(0, bits - i * 8))
            let mask: UInt8 = take == 0 ? 0 : ~UInt8(0) << (8 - take)
            if network[i] & mask != candidate[i] & mask { return false }
        }
        return true
    }

    static func bytes(_ address: String) -> [UInt8]? {
        guard let parsed = try? SocketAddress(ipAddress: address, port: 0) else { return nil }
        switch parsed {
        case .v4(let a): return withUnsafeBytes(of: a.address.sin_addr) { Array($0) }
        case .v6(let a): return withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }
        default: return nil
        }
    }
}

/// `Strict-Transport-Security` on every response when clients reach the server over HTTPS.
struct TransportSecurityMiddleware: RouterMiddleware {
    typealias Context = DoorstepRequestContext
    let security: ServerSecurity

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard security.https else { return try await next(request, context) }
        do {
            var response = try await next(request, context)
            response.headers[.strictTransportSecurity] = "max-age=\(security.hstsMaxAgeSeconds)"
            return response
        } catch let error as APIError {
            var error = error
            error.strictTransportSecurity = "max-age=\(security.hstsMaxAgeSeconds)"
            throw error
        } catch {
            var answer = APIError(error)
            answer.strictTransportSecurity = "max-age=\(security.hstsMaxAgeSeconds)"
            throw answer
        }
    }
}

extension ServerSecurity {
    /// Whether `text` is an IP address or a network (`address/bits`), for `trustedProxies`.
    public static func isAddressOrNetwork(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = bytes(String(parts[0])) else { return false }
        return parts.count == 1 || Int(parts[1]).map { (0...address.count * 8).contains($0) } ?? false
    }
}
