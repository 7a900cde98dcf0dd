import Crypto

/// The SHA-256 of a token or enrolment code, hex: all the directory stores of a secret. A
/// stolen database gives no usable token; tokens carry 256 random bits, so no salt or slow hash
/// is needed (a slow hash protects guessable secrets, and these are not guessable).
public struct TokenHash: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    public init(hex: String) { self.hex = hex }

    public init(of secret: String) {
        hex = SHA256.hash(data: Array(secret.utf8)).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }

    /// The first 8 hex digits: enough to tell credentials apart in a log, useless to an attacker.
    public var description: String { String(hex.prefix(8)) }
}

/// Fresh secrets from the system's cryptographic generator.
public enum Secrets {
    /// A bearer token: `dst_` and 43 base64url characters (256 bits).
    public static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "dst_" + base64URL(bytes)
    }

    /// An enrolment code a person types: 12 characters of Crockford base32 (60 bits) in groups
    /// of four, `K7QM-2XD9-HP4R`. Single use and expiring, so 60 bits is ample.
    public static func enrolmentCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        let chars = (0..<12).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] }
        return stride(from: 0, to: 12, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The canonical form of a typed code: upper case, dashes and spaces dropped, and the letters
    /// Crockford reads as digits (O→0, I/L→1) mapped, so a code read aloud still works.
    public static func normalizedCode(_ typed: String) -> String {
        let mapped = typed.uppercased().compactMap { c -> Character? in
            switch c {
            case "-", " ": nil
            case "O": "0"
            case "I", "L": "1"
            default: c
            }
        }
        let body = String(mapped)
        guard body.count == 12 else { return body }
        let chars = Array(body)
        return stride(from: 0, to: 12, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            let count = rest == 1 ? 2 : 3
            for shift in [18, 12, 6].prefix(count) { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
        }
        return out
    }
}
