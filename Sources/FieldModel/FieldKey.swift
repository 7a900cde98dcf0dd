/// A collection's fields as typed keys, so code names a field by a constant the compiler checks
/// instead of a string: `Household.Field.monthlyIncomeFen.id`. A key's raw value is its field's
/// name in `Schema`, which declares the rest (number, kind, merge policy, writers); each
/// collection's keys and schema fields are the same set (`SchemaFieldKeyTests`).
///
/// Names that arrive as data (a conflict resolution's field in the HTTP API, a conflict shown to
/// a reviewer) are looked up with `CollectionSchema.field(named:)` instead.
public protocol FieldKey: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    static var collection: RecordCollection { get }
}

extension FieldKey {
    /// The field's declaration in `Schema`.
    public var spec: FieldSpec { Self.collection.schema.spec(self) }

    /// The field's number: the id used on the wire and in storage.
    public var id: FieldID { spec.id }

    /// `collection.field`, as validation errors and messages name a field.
    public var path: String { "\(Self.collection.name).\(rawValue)" }

    /// The field ids of `keys`.
    public static func ids(_ keys: some Sequence<Self>) -> Set<FieldID> { Set(keys.map(\.id)) }
}

extension CollectionSchema {
    /// The declaration of `key`; traps when the key belongs to another collection or names no
    /// field (a programming error `SchemaFieldKeyTests` catches).
    public func spec<Key: FieldKey>(_ key: Key) -> FieldSpec {
        precondition(Key.collection == collection, "\(key.path) is not a field of \(collection.name)")
        guard let spec = field(named: key.rawValue) else { preconditionFailure("\(collection.name) has no field \(key.rawValue)") }
        return spec
    }
}
