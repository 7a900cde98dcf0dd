import FieldModel
import Foundation

/// Writes field values into the shared value columns (see `ValueColumns` in the .proto).
struct ValueColumnWriter {
    private(set) var columns = Doorstep_Sync_V1_ValueColumns()
    private var kinds: [UInt8] = []
    private var ids: [UInt8] = []

    mutating func append(_ value: FieldValue) {
        switch value {
        case .null: kinds.append(0)
        case .bool(let b): kinds.append(b ? 2 : 1)
        case .int(let i): kinds.append(3); columns.ints.append(i)
        case .text(let t):
            if let card = IDCardPacking.pack(t) {
                kinds.append(8); columns.idCards.append(card)
            } else if let n = DecimalPacking.pack(t) {
                kinds.append(9); columns.digits.append(n)
            } else {
                kinds.append(4); columns.texts.append(t)
            }
        case .date(let d): kinds.append(5); columns.dates.append(d.daysSinceEpoch)
        case .id(let id): kinds.append(6); ids += id.bytes
        case .ids(let list):
            kinds.append(7)
            columns.idCounts.append(UInt32(list.count))
            for id in list { ids += id.bytes }
        }
    }

    func finished() -> Doorstep_Sync_V1_ValueColumns {
        var c = columns
        c.kinds = Data(kinds)
        c.ids = Data(ids)
        return c
    }
}

/// Reads values back in order, checking that every column holds exactly what the kinds claim.
struct ValueColumnReader {
    private let columns: Doorstep_Sync_V1_ValueColumns
    private let kinds: [UInt8]
    private let ids: [UInt8]
    private let limits: MessageLimits
    private var k = 0, i = 0, t = 0, d = 0, idOffset = 0, ic = 0, card = 0, dig = 0

    init(_ columns: Doorstep_Sync_V1_ValueColumns, limits: MessageLimits) throws(ProtocolError) {
        self.columns = columns
        self.kinds = [UInt8](columns.kinds)
        self.ids = [UInt8](columns.ids)
        self.limits = limits
        guard kinds.count <= limits.maxColumnEntries else {
            throw ProtocolError(.tooManyElements, "\(kinds.count) values, limit \(limits.maxColumnEntries)")
        }
        guard ids.count % 16 == 0 else {
            throw ProtocolError(.inconsistent, "id column holds \(ids.count) bytes, not a multiple of 16")
        }
    }

    private func missing(_ column: String) -> ProtocolError {
        ProtocolError(.inconsistent, "value \(k) needs an entry of column \(column), which is exhausted")
    }

    private mutating func nextID() throws(ProtocolError) -> RecordID {
        guard idOffset + 16 <= ids.count else { throw missing("ids") }
        defer { idOffset += 16 }
        return RecordID(bytes: ids[idOffset..<idOffset + 16])!
    }

    mutating func next() throws(ProtocolError) -> FieldValue {
        guard k < kinds.count else { throw ProtocolError(.inconsistent, "more values referenced than the \(kinds.count) sent") }
        let kind = kinds[k]
        defer { k += 1 }
        switch kind {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3:
            guard i < columns.ints.count else { throw missing("ints") }
            defer { i += 1 }
            return .int(columns.ints[i])
        case 4:
            guard t < columns.texts.count else { throw missing("texts") }
            defer { t += 1 }
            let text = columns.texts[t]
            guard text.utf8.count <= limits.maxTextBytes else {
                throw ProtocolError(.tooManyElements, "text value of \(text.utf8.count) bytes, limit \(limits.maxTextBytes)")
            }
            return .text(text)
        case 5:
            guard d < columns.dates.count else { throw missing("dates") }
            defer { d += 1 }
            return .date(CalendarDate(daysSinceEpoch: columns.dates[d]))
        case 6: return .id(try nextID())
        case 7:
            guard ic < columns.idCounts.count else { throw missing("id_counts") }
            let n = Int(columns.idCounts[ic])
            ic += 1
            guard n <= (ids.count - idOffset) / 16 else {
                throw ProtocolError(.inconsistent, "value \(k) claims \(n) ids, \((ids.count - idOffset) / 16) remain")
            }
            var list: [RecordID] = []
            list.reserveCapacity(n)
            for _ in 0..<n { list.append(try nextID()) }
            return .ids(list)
        case 8:
            guard card < columns.idCards.count else { throw missing("id_cards") }
            defer { card += 1 }
            guard let text = IDCardPacking.unpack(columns.idCards[card]) else {
                throw ProtocolError(.invalidValue, "id_cards entry \(card) is not a packed ID number")
            }
            return .text(text)
        case 9:
            guard dig < columns.digits.count else { throw missing("digits") }
            defer { dig += 1 }
            guard let text = DecimalPacking.unpack(columns.digits[dig]) else {
                throw ProtocolError(.invalidValue, "digits entry \(dig) is \(columns.digits[dig]), not a number of 1–18 digits")
            }
            return .text(text)
        default:
            throw ProtocolError(.invalidValue, "value \(k) has unknown kind \(kind)")
        }
    }

    /// Every column consumed exactly: nothing left over that no value claimed.
    func finish() throws(ProtocolError) {
        let leftovers = [("kinds", kinds.count - k), ("ints", columns.ints.count - i), ("texts", columns.texts.count - t),
                         ("dates", columns.dates.count - d), ("ids", (ids.count - idOffset) / 16),
                         ("id_counts", columns.idCounts.count - ic), ("id_cards", columns.idCards.count - card),
                         ("digits", columns.digits.count - dig)]
        if let (name, n) = leftovers.first(where: { $0.1 != 0 }) {
            throw ProtocolError(.inconsistent, "\(n) entries of value column \(name) are not referenced")
        }
    }
}

/// An ID-card number as one integer: its 17 digits × 11 + the check value (X = 10). Lossless for
/// exactly 17 digits (the first not 0) and a digit or upper-case X.
enum IDCardPacking {
    static func pack(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        guard u.count == 18, u[0] >= 0x31, u[0] <= 0x39 else { return nil }
        var n: UInt64 = 0
        for b in u.prefix(17) {
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + UInt64(b - 0x30)
        }
        let last = u[17]
        let check: UInt64
        if last == UInt8(ascii: "X") { check = 10 } else if last >= 0x30, last <= 0x39 { check = UInt64(last - 0x30) } else { return nil }
        return n * 11 + check
    }

    static func unpack(_ packed: UInt64) -> String? {
        let body = packed / 11, check = packed % 11
        guard body >= 10_000_000_000_000_000, body <= 99_999_999_999_999_999 else { return nil }
        return String(body) + (check == 10 ? "X" : String(check))
    }
}

/// Text of 1–18 decimal digits without a leading zero (phone numbers, codes) as an integer.
enum DecimalPacking {
    static func pack(_ text: String) -> UInt64? {
        let u = text.utf8
        guard (1...18).contains(u.count), let first = u.first, first >= 0x31, first <= 0x39 else { return nil }
        var n: UInt64 = 0
        for b in u {
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + UInt64(b - 0x30)
        }
        return n
    }

    static func unpack(_ n: UInt64) -> String? {
        n > 0 && n < 1_000_000_000_000_000_000 ? String(n) : nil
    }
}
