import FieldModel
import SyncCore

/// A field value as JSON, read by the field's kind: numbers for money and counts, strings for
/// text, enumerations, ID numbers, dates (`2024-03-05`) and record ids, booleans, null.
public enum FieldValueJSON: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Int64)
    case string(String)
    case strings([String])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Int64.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([String].self) { self = .strings(a) } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a field value is null, a boolean, an integer, a string or a list of strings")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .strings(let a): try c.encode(a)
        }
    }

    public init(_ value: FieldValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(i)
        case .text(let t): self = .string(t)
        case .date(let d): self = .string(d.description)
        case .id(let id): self = .string(id.description)
        case .ids(let ids): self = .strings(ids.map(\.description))
        }
    }

    /// The value `spec` holds, or a validation error naming the field.
    public func value(for spec: FieldSpec, in collection: RecordCollection) throws(ValidationError) -> FieldValue {
        let field = "\(collection.name).\(spec.name)"
        func wrong(_ expected: String) -> ValidationError {
            ValidationError(field: field, problem: .invalidCharacter, message: "expected \(expected)")
        }
        switch (spec.kind, self) {
        case (_, .null): return .null
        case (.bool, .bool(let b)): return .bool(b)
        case (.money, .number(let n)), (.integer, .number(let n)): return .int(n)
        case (.text, .string(let s)), (.personName, .string(let s)), (.phone, .string(let s)), (.enumeration, .string(let s)),
             (.idCard, .string(let s)), (.workerID, .string(let s)):
            return .text(s)
        case (.date, .string(let s)):
            guard let d = CalendarDate(iso: s) else { throw wrong("a date like 2024-03-05") }
            return .date(d)
        case (.reference, .string(let s)):
            guard let id = RecordID(uuidString: s) else { throw wrong("a record id (UUID)") }
            return .id(id)
        case (.references, .strings(let a)):
            var ids: [RecordID] = []
            for s in a {
                guard let id = RecordID(uuidString: s) else { throw wrong("a list of record ids (UUIDs)") }
                ids.append(id)
            }
            return .ids(ids)
        case (.bool, _): throw wrong("true or false")
        case (.money, _), (.integer, _): throw wrong("an integer")
        case (.references, _): throw wrong("a list of record ids")
        default: throw wrong("a string")
        }
    }
}
