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

/// Reads typed values out of a record's fields by name, failing with the field's path.
public struct FieldReader: Sendable {
    public let collection: RecordCollection
    public let fields: FieldValues
    let schema: CollectionSchema

    public init(_ collection: RecordCollection, _ fields: FieldValues) {
        self.collection = collection
        self.fields = fields
        self.schema = collection.schema
    }

    public func value(_ name: String) -> FieldValue { fields[schema.id(name)] ?? .null }

    func fail(_ name: String, _ expected: String) -> ValidationError {
        ValidationError(field: "\(collection.name).\(name)", problem: .unknownValue,
                        message: "expected \(expected), found \(value(name).kindName)")
    }

    public func text(_ name: String) throws(ValidationError) -> String {
        guard let v = value(name).textValue else { throw fail(name, "text") }
        return v
    }

    public func optionalText(_ name: String) throws(ValidationError) -> String? {
        if case .null = value(name) { return nil }
        return try text(name)
    }

    public func int(_ name: String) throws(ValidationError) -> Int64 {
        guard let v = value(name).intValue else { throw fail(name, "int") }
        return v
    }

    public func optionalInt(_ name: String) throws(ValidationError) -> Int64? {
        if case .null = value(name) { return nil }
        return try int(name)
    }

    public func bool(_ name: String) throws(ValidationError) -> Bool {
        guard let v = value(name).boolValue else { throw fail(name, "bool") }
        return v
    }

    public func date(_ name: String) throws(ValidationError) -> CalendarDate {
        guard let v = value(name).dateValue else { throw fail(name, "date") }
        return v
    }

    public func optionalDate(_ name: String) throws(ValidationError) -> CalendarDate? {
        if case .null = value(name) { return nil }
        return try date(name)
    }

    public func id(_ name: String) throws(ValidationError) -> RecordID {
        guard let v = value(name).idValue else { throw fail(name, "record id") }
        return v
    }

    public func optionalID(_ name: String) throws(ValidationError) -> RecordID? {
        if case .null = value(name) { return nil }
        return try id(name)
    }

    public func ids(_ name: String) throws(ValidationError) -> [RecordID] {
        guard let v = value(name).idsValue else { throw fail(name, "record ids") }
        return v
    }

    public func enumeration<E: RawRepresentable>(_ name: String, as: E.Type = E.self) throws(ValidationError) -> E where E.RawValue == String {
        let raw = try text(name)
        guard let e = E(rawValue: raw) else { throw fail(name, "a \(E.self) value") }
        return e
    }

    /// An ID-card number stored by a device that validated it; re-read without a date check.
    public func idCard(_ name: String) throws(ValidationError) -> IDCardNumber {
        IDCardNumber(unchecked: try text(name))
    }

    public func worker(_ name: String) throws(ValidationError) -> WorkerID {
        WorkerID(unchecked: try text(name))
    }
}

/// Builds field values by name for a collection.
public struct FieldWriter: Sendable {
    let schema: CollectionSchema
    public private(set) var fields: FieldValues = [:]

    public init(_ collection: RecordCollection) { self.schema = collection.schema }

    public mutating func set(_ name: String, _ value: FieldValue) { fields[schema.id(name)] = value }
    public mutating func set(_ name: String, _ text: String?) { set(name, text.map(FieldValue.text) ?? .null) }
    public mutating func set(_ name: String, _ int: Int64) { set(name, .int(int)) }
    public mutating func set(_ name: String, _ bool: Bool) { set(name, .bool(bool)) }
    public mutating func set(_ name: String, _ date: CalendarDate?) { set(name, date.map(FieldValue.date) ?? .null) }
    public mutating func set(_ name: String, _ id: RecordID?) { set(name, id.map(FieldValue.id) ?? .null) }
    public mutating func set<E: RawRepresentable>(_ name: String, _ e: E) where E.RawValue == String { set(name, .text(e.rawValue)) }
}
