/// Which fields hold sensitive personal information (敏感个人信息, PIPL art. 28; GB/T 35273
/// annex B): identity-card numbers, income and assets (property), and health — disability,
/// serious illness, the labour ability a health condition decides, and the difficulty a
/// discovery lead records (illness, disability among them).
///
/// Servers and devices keep every record state sealed at rest anyway; what this list decides
/// is that no message, log line or error names such a value (a validation failure says what is
/// wrong without repeating it: `FieldSpec.validate`), and which values the server's
/// blind index covers (ID numbers).
extension Schema {
    public static let sensitiveFields: [RecordCollection: Set<FieldID>] = [
        .household: Household.Field.ids([.headIDNumber, .monthlyIncomeFen, .assetsFen]),
        .member: Member.Field.ids([.idNumber, .disabilityKind, .disabilityGrade, .seriousIllness, .labourAbility]),
        .visit: Visit.Field.ids([.monthlyIncomeFen, .assetsFen]),
        .discoveryLead: DiscoveryLead.Field.ids([.difficulty]),
    ]

    /// Whether `field` of `collection` holds sensitive personal information.
    public static func isSensitive(_ collection: RecordCollection, _ field: FieldID) -> Bool {
        sensitiveFields[collection]?.contains(field) ?? false
    }

    /// The fields of `collection` that hold an ID-card number: what a person is looked up by.
    /// Asked of every record the server writes, so read from a table built once.
    public static func idNumberFields(of collection: RecordCollection) -> [FieldID] {
        idNumberFieldsByCollection[collection] ?? []
    }

    private static let idNumberFieldsByCollection: [RecordCollection: [FieldID]] = Dictionary(
        uniqueKeysWithValues: RecordCollection.allCases.map { c in (c, Self.collection(c).fields.filter { $0.kind == .idCard }.map(\.id)) })
}
