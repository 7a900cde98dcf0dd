import FieldModel

/// Appends the compact binary forms used for stored record states and digests: LEB128 varints,
/// zigzag signed integers, length-prefixed bytes and strings.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func byte(_ b: UInt8) { bytes.append(b) }

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func signed(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    public mutating func fixed64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func data(_ d: some Collection<UInt8>) {
        varint(UInt64(d.count))
        bytes.append(contentsOf: d)
    }

    /// The string's UTF-8 bytes with their length, copied straight from its storage (no array
    /// of them in between: every sibling of every state encoded has an author).
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func recordID(_ id: RecordID) {
        fixed64(id.high)
        fixed64(id.low)
    }

    public mutating func versionVector(_ vv: VersionVector) {
        varint(UInt64(vv.count))
        for e in vv.entries {
            fixed64(e.replica.rawValue)
            varint(e.counter)
        }
    }

    public mutating func value(_ v: FieldValue) {
        switch v {
        case .null: byte(0)
        case .bool(let b): byte(b ? 2 : 1)
        case .int(let i): byte(3); signed(i)
        case .text(let t): byte(4); string(t)
        case .date(let d): byte(5); signed(Int64(d.daysSinceEpoch))
        case .id(let id): byte(6); recordID(id)
        case .ids(let ids):
            byte(7)
            varint(UInt64(ids.count))
            for id in ids { recordID(id) }
        }
    }

    public mutating func sibling(_ s: Sibling) {
        fixed64(s.dot.replica.rawValue)
        varint(s.dot.counter)
        varint(s.hlc.rawValue)
        string(s.author.rawValue)
        value(s.value)
    }
}
