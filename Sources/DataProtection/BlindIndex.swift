import Crypto

/// A keyed blind index: HMAC-SHA256 of a value under a key derived for one purpose, truncated
/// to 16 bytes. Equal values give equal indexes, so a store finds and refuses duplicates by the
/// index; without the key ring, an index tells nothing about the value (an ID number's small
/// space could be searched through a plain hash in seconds, not through a keyed one).
///
///     let index = BlindIndex(ring: ring, purpose: "person")
///     index.value(of: "140821196503121239")   // 16 bytes
public struct BlindIndex: Sendable {
    let key: Secret

    public init(ring: KeyRing, purpose: String) { key = ring.derivedKey("blind-index/\(purpose)") }

    public static let size = 16

    public func value(of text: String) -> [UInt8] { value(of: Array(text.utf8)) }

    public func value(of bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key.key).prefix(Self.size))
    }
}
