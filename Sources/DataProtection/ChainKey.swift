import Crypto

/// A keyed MAC chain: each entry's link is HMAC-SHA256 over the previous link and the entry's
/// canonical bytes, so editing, inserting or deleting an entry breaks every later link, and
/// nobody without the key ring can recompute the chain after tampering.
public struct ChainKey: Sendable {
    let key: Secret

    public init(ring: KeyRing, purpose: String) { key = ring.derivedKey("chain/\(purpose)") }

    public static let size = 32
    /// The link before a log's first entry.
    public static let origin = [UInt8](repeating: 0, count: size)

    public func link(after previous: [UInt8], entry: [UInt8]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: key.key)
        mac.update(data: previous)
        mac.update(data: entry)
        return Array(mac.finalize())
    }
}
