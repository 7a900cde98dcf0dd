import Foundation
import SyncClient

/// Which server addresses a device talks to: HTTPS always; plain HTTP only to its own machine
/// (a loopback address: a test, the simulator, a development server), unless told otherwise —
/// a token and a worker's records never cross a network in the clear by mistake.
public enum ServerAddressPolicy {
    /// Refuses `url` unless it is `https`, or `http` to loopback, or `allowInsecureHTTP`.
    public static func check(_ url: URL, allowInsecureHTTP: Bool) throws(TransportError) {
        switch url.scheme?.lowercased() {
        case "https": return
        case "http" where allowInsecureHTTP || isLoopback(url.host ?? ""): return
        case "http":
            throw TransportError(.refused(status: 0, code: "insecure_transport"),
                                 "\(url.absoluteString.prefix(200)) is plain http to another machine; use https (or allow insecure http explicitly, for a closed test network)")
        default:
            throw TransportError(.refused(status: 0, code: "invalid_argument"), "\(url.absoluteString.prefix(200)) is not an http(s) URL")
        }
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
