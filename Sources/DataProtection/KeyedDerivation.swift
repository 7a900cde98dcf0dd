import Crypto

/// A keyed derivation of stable identifiers (HMAC-SHA256 under a key for one purpose).
public struct KeyedDerivation: Sendable {
    let key: Secret

    public init(ring: KeyRing, purpose: String) { key = ring.derivedKey("derive/\(purpose)") }

    /// 32 bytes that only the key ring's holder can compute from `text`.
    public func bytes(of text: String) -> [UInt8] { Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key.key)) }
}
