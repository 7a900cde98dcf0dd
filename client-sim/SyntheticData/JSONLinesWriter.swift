import FieldModel

/// Renders records as JSON lines, one record a line, in a fixed byte-for-byte form:
///
///     {"collection":"household","id":"0190…","village":"140821101001","fields":{"appliedOn":"2024-03-02",…}}
///
/// Fields appear by name in sorted order, every field of the schema present (`null` when empty);
/// dates as `YYYY-MM-DD`, money and counts as integers, ids as lowercase UUIDs. Workers, which
/// are not synced records, render as `{"collection":"worker","id":"va-…","fields":{…}}`.
///
/// Rendered by hand into a byte buffer: the output must not depend on an encoder's version or
/// options, and a county is several hundred thousand lines. Call `drain()` to take the bytes
/// written so far.
/// - Complexity: O(size of the output).
public struct JSONLinesWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var lineCount = 0

    public init(reservingCapacity capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// Takes the bytes written so far, leaving the buffer empty.
    public mutating func drain() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    /// Every record of a village: households, members, visits, leads, filings, notices, so each
    /// reference points back to a line already written.
    public mutating func write(_ v: VillageData) {
        for r in v.households { write(r) }
        for r in v.members { write(r) }
        for r in v.visits { write(r) }
        for r in v.leads { write(r) }
        for r in v.filings { write(r) }
        for r in v.notices { write(r) }
    }

    /// One synced record with its fields by name.
    public mutating func write<R: FieldRecord>(_ record: R) {
        // One pass over the dictionary into slots by field number: cheaper than a hashed lookup per field.
        var slots = [FieldValue](repeating: .null, count: JSONLinesWriter.slotCount)
        for (id, value) in record.fieldValues where Int(id.rawValue) < slots.count { slots[Int(id.rawValue)] = value }
        append("{\"collection\":")
        string(R.collection.name)
        append(",\"id\":\"")
        uuid(record.id)
        append("\",\"village\":\"")
        decimal(Int64(record.village.rawValue))
        append("\",\"fields\":{")
        for (i, field) in JSONLinesWriter.sortedFields(R.collection).enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(field.name)
            bytes.append(UInt8(ascii: ":"))
            value(slots[Int(field.id.rawValue)])
        }
        append("}}\n")
        lineCount += 1
    }

    /// A worker: name, role and assignment, codes sorted so the line is stable.
    public mutating func write(_ worker: Worker) {
        append("{\"collection\":\"worker\",\"id\":")
        string(worker.id.rawValue)
        append(",\"fields\":{\"assignment\":{\"counties\":")
        list(worker.assignment.counties.map { Int64($0.rawValue) }.sorted())
        append(",\"townships\":")
        list(worker.assignment.townships.map { Int64($0.rawValue) }.sorted())
        append(",\"villages\":")
        list(worker.assignment.villages.map { Int64($0.rawValue) }.sorted())
        append("},\"name\":")
        string(worker.name)
        append(",\"role\":")
        string(worker.role.rawValue)
        append("}}\n")
        lineCount += 1
    }

    // MARK: - Values

    /// Each collection's fields sorted by name, computed once.
    static let fieldOrder: [RecordCollection: [FieldSpec]] = Dictionary(uniqueKeysWithValues: RecordCollection.allCases.map {
        ($0, Schema.collection($0).fields.sorted { $0.name < $1.name })
    })

    static func sortedFields(_ c: RecordCollection) -> [FieldSpec] { fieldOrder[c]! }

    /// One more than the highest field number of any collection.
    static let slotCount = RecordCollection.allCases.flatMap { Schema.collection($0).fields.map { Int($0.id.rawValue) } }.max()! + 1

    private mutating func value(_ v: FieldValue) {
        switch v {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let n): decimal(n)
        case .text(let t): string(t)
        case .date(let d): bytes.append(UInt8(ascii: "\"")); date(d); bytes.append(UInt8(ascii: "\""))
        case .id(let id): bytes.append(UInt8(ascii: "\"")); uuid(id); bytes.append(UInt8(ascii: "\""))
        case .ids(let ids):
            bytes.append(UInt8(ascii: "["))
            for (i, id) in ids.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "\"")); uuid(id); bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Codes as JSON strings: twelve-digit codes are identifiers, not quantities.
    private mutating func list(_ codes: [Int64]) {
        bytes.append(UInt8(ascii: "["))
        for (i, c) in codes.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\"")); decimal(c); bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A JSON string: UTF-8 passed through, quotes, backslashes and control characters escaped.
    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every string needs no escape: copy it whole.
        let clean = s.utf8.withContiguousStorageIfAvailable { buf in
            buf.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        if clean == true {
            bytes.append(contentsOf: s.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0..<0x20:
                append("\\u00")
                bytes.append(JSONLinesWriter.hexDigits[Int(b >> 4)])
                bytes.append(JSONLinesWriter.hexDigits[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func decimal(_ n: Int64) {
        bytes.append(contentsOf: String(n).utf8)  // small strings are inline: no allocation
    }

    private mutating func padded(_ n: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var m = n
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(m / divisor % 10))
            m %= divisor
            divisor /= 10
        }
    }

    private mutating func date(_ d: CalendarDate) {
        padded(d.year, width: 4); bytes.append(UInt8(ascii: "-"))
        padded(d.month, width: 2); bytes.append(UInt8(ascii: "-"))
        padded(d.day, width: 2)
    }

    /// The canonical 8-4-4-4-12 lowercase form, as `RecordID.description` prints it.
    private mutating func uuid(_ id: RecordID) {
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(UInt8(ascii: "-")) }
            let word = i < 8 ? id.high : id.low
            let byte = UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i % 8)))
            bytes.append(JSONLinesWriter.hexDigits[Int(byte >> 4)])
            bytes.append(JSONLinesWriter.hexDigits[Int(byte & 0xF)])
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
