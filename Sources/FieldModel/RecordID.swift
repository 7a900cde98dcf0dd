/// A record's id, made on the device that created it: a UUID version 7 (RFC 9562).
///
/// The first 48 bits are the creation time in milliseconds, so ids sort by creation and need no
/// coordination; the rest is random. Stored as two 64-bit halves.
public struct RecordID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A version-7 id for the instant `milliseconds`, with 74 random bits from `generator`.
    public init(milliseconds: Int64, using generator: inout some RandomNumberGenerator) {
        let time = UInt64(truncatingIfNeeded: milliseconds) & 0xFFFF_FFFF_FFFF
        let randA = generator.next() & 0x0FFF
        let randB = generator.next() & 0x3FFF_FFFF_FFFF_FFFF
        self.high = time << 16 | 0x7000 | randA
        self.low = 0x8000_0000_0000_0000 | randB
    }

    /// The 16 bytes, big-endian (the UUID's byte order).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
        }
        return out
    }

    /// Reads 16 bytes; nil for any other count.
    /// Inlinable, and reading contiguous bytes as two words, because a page decodes one id per
    /// record: the generic loop over a `Data` slice took a fifth of a bootstrap's decoding.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        if let words = bytes.withContiguousStorageIfAvailable({ buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return (raw.loadUnaligned(as: UInt64.self).bigEndian, raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
        }) {
            self.init(high: words.0, low: words.1)
            return
        }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        self.init(high: h, low: l)
    }

    /// Parses the canonical 8-4-4-4-12 hexadecimal form (either case).
    public init?(uuidString: String) {
        let utf8 = Array(uuidString.utf8)
        guard utf8.count == 36, [8, 13, 18, 23].allSatisfy({ utf8[$0] == UInt8(ascii: "-") }) else { return nil }
        let hex = utf8.filter { $0 != UInt8(ascii: "-") }
        guard hex.count == 32 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, c) in hex.enumerated() {
            guard let v = hexValue(c) else { return nil }
            if i < 16 { h = h << 4 | UInt64(v) } else { l = l << 4 | UInt64(v) }
        }
        self.init(high: h, low: l)
    }

    /// Milliseconds since the epoch when a version-7 id was made.
    public var milliseconds: Int64 { Int64(high >> 16) }

    public var description: String {
        let s = hex16(high) + hex16(low)
        let c = Array(s)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-"
            + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    public static func < (a: RecordID, b: RecordID) -> Bool { (a.high, a.low) < (b.high, b.low) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = RecordID(uuidString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a UUID: \(text.prefix(40))"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x61...0x66: c - 0x61 + 10
    case 0x41...0x46: c - 0x41 + 10
    default: nil
    }
}

func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}
