/// A domain type that is stored and synced as a record: an id, a village scope and field values.
public protocol FieldRecord: Sendable, Hashable {
    static var collection: RecordCollection { get }
    var id: RecordID { get }
    var village: VillageCode { get }
    /// Every field of the record by number, as a create carries them.
    var fieldValues: FieldValues { get }
    /// Rebuilds the value from fields, failing with the first missing or mistyped field.
    init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError)
}

/// Reads typed values out of a record's fields by key, failing with the field's path.
public struct FieldReader<Key: FieldKey>: Sendable {
    public let fields: FieldValues

    public init(_ fields: FieldValues, as: Key.Type = Key.self) { self.fields = fields }

    public func value(_ key: Key) -> FieldValue { fields[key.id] ?? .null }

    func fail(_ key: Key, _ expected: String) -> ValidationError {
        ValidationError(field: key.path, problem: .unknownValue, message: "expected \(expected), found \(value(key).kindName)")
    }

    public func text(_ key: Key) throws(ValidationError) -> String {
        guard let v = value(key).textValue else { throw fail(key, "text") }
        return v
    }

    public func optionalText(_ key: Key) throws(ValidationError) -> String? {
        if case .null = value(key) { return nil }
        return try text(key)
    }

    public func int(_ key: Key) throws(ValidationError) -> Int64 {
        guard let v = value(key).intValue else { throw fail(key, "int") }
        return v
    }

    public func optionalInt(_ key: Key) throws(ValidationError) -> Int64? {
        if case .null = value(key) { return nil }
        return try int(key)
    }

    public func bool(_ key: Key) throws(ValidationError) -> Bool {
        guard let v = value(key).boolValue else { throw fail(key, "bool") }
        return v
    }

    public func date(_ key: Key) throws(ValidationError) -> CalendarDate {
        guard let v = value(key).dateValue else { throw fail(key, "date") }
        return v
    }

    public func optionalDate(_ key: Key) throws(ValidationError) -> CalendarDate? {
        if case .null = value(key) { return nil }
        return try date(key)
    }

    public func id(_ key: Key) throws(ValidationError) -> RecordID {
        guard let v = value(key).idValue else { throw fail(key, "record id") }
        return v
    }

    public func optionalID(_ key: Key) throws(ValidationError) -> RecordID? {
        if case .null = value(key) { return nil }
        return try id(key)
    }

    public func ids(_ key: Key) throws(ValidationError) -> [RecordID] {
        guard let v = value(key).idsValue else { throw fail(key, "record ids") }
        return v
    }

    public func enumeration<E: RawRepresentable>(_ key: Key, as: E.Type = E.self) throws(ValidationError) -> E where E.RawValue == String {
        let raw = try text(key)
        guard let e = E(rawValue: raw) else { throw fail(key, "a \(E.self) value") }
        return e
    }

    /// An ID-card number stored by a device that validated it; re-read without a date check.
    public func idCard(_ key: Key) throws(ValidationError) -> IDCardNumber {
        IDCardNumber(unchecked: try text(key))
    }

    public func worker(_ key: Key) throws(ValidationError) -> WorkerID {
        WorkerID(unchecked: try text(key))
    }
}

/// Builds a record's field values by key.
public struct FieldWriter<Key: FieldKey>: Sendable {
    public private(set) var fields: FieldValues = [:]

    public init(_: Key.Type = Key.self) {}

    public mutating func set(_ key: Key, _ value: FieldValue) { fields[key.id] = value }
    public mutating func set(_ key: Key, _ text: String?) { set(key, text.map(FieldValue.text) ?? .null) }
    public mutating func set(_ key: Key, _ int: Int64) { set(key, .int(int)) }
    public mutating func set(_ key: Key, _ bool: Bool) { set(key, .bool(bool)) }
    public mutating func set(_ key: Key, _ date: CalendarDate?) { set(key, date.map(FieldValue.date) ?? .null) }
    public mutating func set(_ key: Key, _ id: RecordID?) { set(key, id.map(FieldValue.id) ?? .null) }
    public mutating func set<E: RawRepresentable>(_ key: Key, _ e: E) where E.RawValue == String { set(key, .text(e.rawValue)) }
}
