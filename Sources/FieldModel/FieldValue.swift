/// One field's value as it is stored, merged and sent: the common currency of the sync layer.
///
/// Enumerations travel as their raw text, money as integer fen, dates as calendar dates.
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case text(String)
    case date(CalendarDate)
    case id(RecordID)
    case ids([RecordID])

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .text(let t): "\"\(t)\""
        case .date(let d): d.description
        case .id(let id): id.description
        case .ids(let ids): "[" + ids.map(\.description).joined(separator: ",") + "]"
        }
    }

    public var intValue: Int64? { if case .int(let v) = self { v } else { nil } }
    public var textValue: String? { if case .text(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var dateValue: CalendarDate? { if case .date(let v) = self { v } else { nil } }
    public var idValue: RecordID? { if case .id(let v) = self { v } else { nil } }
    public var idsValue: [RecordID]? { if case .ids(let v) = self { v } else { nil } }
}

/// A record's fields by number, as a create carries them and as the merged state exposes them.
public typealias FieldValues = [FieldID: FieldValue]
