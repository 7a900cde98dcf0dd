/// A 128-bit value for digests: two SipHash-2-4 lanes with fixed keys.
public struct Digest128: Sendable, Hashable, Codable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = Digest128(high: 0, low: 0)

    public static func ^ (a: Digest128, b: Digest128) -> Digest128 { Digest128(high: a.high ^ b.high, low: a.low ^ b.low) }

    public var description: String {
        let h = String(high, radix: 16), l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}

/// A hash that is the same on every platform, process and run (unlike `Hasher`, which is seeded
/// per process): SipHash-2-4 (Aumasson & Bernstein) with fixed keys.
public enum StableHash {
    public static func hash128(_ bytes: [UInt8]) -> Digest128 {
        Digest128(high: sipHash24(bytes, k0: 0x646F_6F72_7374_6570, k1: 0x7363_6F70_6564_6967),
                  low: sipHash24(bytes, k0: 0x7265_636F_7264_7374, k1: 0x6174_6564_6967_6573))
    }

    public static func sipHash24(_ bytes: [UInt8], k0: UInt64, k1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736F_6D65_7073_6575 ^ k0
        var v1: UInt64 = 0x646F_7261_6E64_6F6D ^ k1
        var v2: UInt64 = 0x6C79_6765_6E65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always) func round() {
            v0 = v0 &+ v1; v1 = v1.rotl(13); v1 ^= v0; v0 = v0.rotl(32)
            v2 = v2 &+ v3; v3 = v3.rotl(16); v3 ^= v2
            v0 = v0 &+ v3; v3 = v3.rotl(21); v3 ^= v0
            v2 = v2 &+ v1; v1 = v1.rotl(17); v1 ^= v2; v2 = v2.rotl(32)
        }

        let n = bytes.count
        var i = 0
        bytes.withUnsafeBufferPointer { p in
            while i + 8 <= n {
                var m: UInt64 = 0
                for j in 0..<8 { m |= UInt64(p[i + j]) << (8 * j) }
                v3 ^= m; round(); round(); v0 ^= m
                i += 8
            }
            var last = UInt64(truncatingIfNeeded: n) << 56
            for j in 0..<(n - i) { last |= UInt64(p[i + j]) << (8 * j) }
            v3 ^= last; round(); round(); v0 ^= last
        }
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    @inline(__always) func rotl(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
