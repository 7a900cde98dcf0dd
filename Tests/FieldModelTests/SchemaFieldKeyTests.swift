import FieldModel
import Testing

/// The typed field keys and `Schema` name the same fields: every collection's keys are its
/// schema's fields, one for one, in the schema's order, so code that names a field by its key
/// names one the schema declares.
@Suite("Schema field keys")
struct SchemaFieldKeyTests {
    /// Each collection's keys, by the key type the compiler requires for it.
    static func keys(of collection: RecordCollection) -> (collection: RecordCollection, names: [String], ids: [FieldID], paths: [String]) {
        switch collection {
        case .household: summary(Household.Field.self)
        case .member: summary(Member.Field.self)
        case .visit: summary(Visit.Field.self)
        case .discoveryLead: summary(DiscoveryLead.Field.self)
        case .relativeFiling: summary(RelativeFiling.Field.self)
        case .publicNotice: summary(PublicNotice.Field.self)
        case .attachment: summary(Attachment.Field.self)
        }
    }

    static func summary<Key: FieldKey>(_: Key.Type) -> (collection: RecordCollection, names: [String], ids: [FieldID], paths: [String]) {
        (Key.collection, Key.allCases.map(\.rawValue), Key.allCases.map(\.id), Key.allCases.map(\.path))
    }

    @Test("a collection's keys are its schema's fields, by name, number and order", arguments: RecordCollection.allCases)
    func keysAreTheSchemasFields(collection: RecordCollection) {
        let keys = Self.keys(of: collection)
        let fields = collection.schema.fields
        #expect(keys.collection == collection)
        #expect(keys.names == fields.map(\.name))
        #expect(keys.ids == fields.map(\.id))
        #expect(keys.paths == fields.map { "\(collection.name).\($0.name)" })
    }

    @Test("a key's spec is the schema's declaration of its field")
    func keySpecIsTheDeclaration() {
        for key in Household.Field.allCases { #expect(key.spec == Schema.household.field(named: key.rawValue)) }
        #expect(Household.Field.status.spec.merge == .workflow)
        #expect(Member.Field.idNumber.spec.kind == .idCard)
        #expect(Visit.Field.corrects.spec.kind == .reference(.visit))
        #expect(PublicNotice.Field.households.id == FieldID(1))
        #expect(RelativeFiling.Field.withdrawnOn.path == "relativeFiling.withdrawnOn")
        #expect(Household.Field.ids([.monthlyIncomeFen, .assetsFen]) == [FieldID(10), FieldID(11)])
    }

    @Test("the sensitive fields and the author fields are fields of their collections")
    func typedTablesNameDeclaredFields() {
        for (collection, ids) in Schema.sensitiveFields {
            for id in ids { #expect(collection.schema.field(id) != nil, "\(collection) \(id)") }
        }
        #expect(Schema.sensitiveFields[.member] == Set<FieldID>([3, 5, 6, 7, 8].map { FieldID($0) }))
        for (collection, id) in CollectionSchema.authorFields {
            #expect(collection.schema.field(id)?.kind == .workerID, "\(collection) \(id)")
        }
    }
}
