import FieldModel

/// Reads what `BinaryWriter` wrote, refusing anything truncated, overlong or out of bounds.
public struct BinaryReader: Sendable {
    let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remaining: Int { bytes.count - offset }

    func fail(_ what: String) -> DecodeError { DecodeError(offset: offset, message: what) }

    public mutating func byte() throws(DecodeError) -> UInt8 {
        guard offset < bytes.count else { throw fail("truncated: expected a byte") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func varint() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    public mutating func signed() throws(DecodeError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    public mutating func fixed64() throws(DecodeError) -> UInt64 {
        guard remaining >= 8 else { throw fail("truncated: expected 8 bytes") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * i) }
        offset += 8
        return v
    }

    /// A count or length, refused when it exceeds `limit` or the bytes left (each element taking at least `minimumSize`).
    public mutating func count(limit: Int, minimumSize: Int = 1) throws(DecodeError) -> Int {
        let n = try varint()
        guard n <= UInt64(limit) else { throw fail("count \(n) exceeds the limit \(limit)") }
        guard Int(n) * minimumSize <= remaining else { throw fail("count \(n) exceeds the \(remaining) bytes left") }
        return Int(n)
    }

    public mutating func data(limit: Int = 1 << 20) throws(DecodeError) -> ArraySlice<UInt8> {
        let n = try count(limit: limit)
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func string(limit: Int = 1 << 16) throws(DecodeError) -> String {
        let d = try data(limit: limit)
        guard let s = String(validating: d, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    public mutating func recordID() throws(DecodeError) -> RecordID {
        RecordID(high: try fixed64(), low: try fixed64())
    }

    public mutating func versionVector() throws(DecodeError) -> VersionVector {
        let n = try count(limit: 100_000, minimumSize: 9)
        var pairs: [(ReplicaID, UInt64)] = []
        pairs.reserveCapacity(n)
        var previous: UInt64? = nil
        for _ in 0..<n {
            let r = try fixed64()
            if let p = previous, r <= p { throw fail("version vector replicas out of order") }
            previous = r
            pairs.append((ReplicaID(r), try varint()))
        }
        return VersionVector(pairs)
    }

    public mutating func value() throws(DecodeError) -> FieldValue {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try signed())
        case 4: return .text(try string())
        case 5:
            let d = try signed()
            guard let days = Int32(exactly: d) else { throw fail("date \(d) out of range") }
            return .date(CalendarDate(daysSinceEpoch: days))
        case 6: return .id(try recordID())
        case 7:
            let n = try count(limit: 10_000, minimumSize: 16)
            var ids: [RecordID] = []
            ids.reserveCapacity(n)
            for _ in 0..<n { ids.append(try recordID()) }
            return .ids(ids)
        case let tag: throw fail("unknown value tag \(tag)")
        }
    }

    public mutating func sibling() throws(DecodeError) -> Sibling {
        let dot = Dot(ReplicaID(try fixed64()), try varint())
        let hlc = HLCTimestamp(rawValue: try varint())
        let author = WorkerID(unchecked: try string(limit: 64))
        return Sibling(dot: dot, hlc: hlc, author: author, value: try value())
    }
}

/// Bytes that do not decode: where, and why.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "at byte \(offset): \(message)" }
}
