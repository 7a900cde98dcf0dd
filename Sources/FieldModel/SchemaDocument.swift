/// The schema as data for other implementations: `protocol/schema.json` is this document,
/// encoded as JSON with sorted keys (a test regenerates it and compares it with the file).
///
/// Everything a client in another language needs to write valid records: collections, field
/// numbers, types and their ranges, optionality, enumerations with their Chinese names, merge
/// policies, who creates and who writes what, and the workflow's step table.
public struct SchemaDocument: Sendable, Codable, Equatable {
    public struct Named: Sendable, Codable, Equatable {
        public let value: String
        public let chinese: String
    }

    public struct Field: Sendable, Codable, Equatable {
        public let number: UInt16
        public let name: String
        /// The wire value it holds (SPEC §1): `bool`, `int`, `text`, `date`, `id` or `ids`.
        public let value: String
        /// The rule the value is checked by (`FieldSpec.validate`): `bool`, `money`, `integer`,
        /// `text`, `personName`, `phone`, `date`, `enumeration`, `idCard`, `workerID`, `reference`,
        /// `references`.
        public let type: String
        public let optional: Bool
        public let merge: MergePolicy
        /// Roles that may write the field on an existing record (`immutable`: none).
        public let writers: [Role]
        public let sensitive: Bool
        public var minimum: Int64?
        public var maximum: Int64?
        public var maxLength: Int?
        public var required: Bool?
        public var maxDaysAhead: Int?
        public var values: [Named]?
        public var references: RecordCollection?
        public var maxCount: Int?
        /// The field must name the creating worker (a visit's worker, a lead's recorder, a filing's staff).
        public var namesAuthor: Bool?
    }

    public struct CollectionEntry: Sendable, Codable, Equatable {
        public let number: UInt8
        public let name: String
        public let creators: [Role]
        public let deletable: Bool
        public let fields: [Field]
    }

    public struct WorkflowTable: Sendable, Codable, Equatable {
        public let collection: RecordCollection
        public let field: UInt16
        public let initial: WorkflowStatus
        public let statuses: [Named]
        public let duties: [Named]
        public let gates: [WorkflowGate]
        public let steps: [WorkflowStep]
    }

    public let schemaVersion: UInt32
    public let oldestSupportedSchemaVersion: UInt32
    public let roles: [Named]
    public let collections: [CollectionEntry]
    public let workflow: WorkflowTable
}

extension Schema {
    /// The schema as `protocol/schema.json` holds it.
    public static var document: SchemaDocument {
        SchemaDocument(
            schemaVersion: version, oldestSupportedSchemaVersion: oldestSupportedVersion,
            roles: Role.allCases.map { .init(value: $0.rawValue, chinese: $0.chineseName) },
            collections: RecordCollection.allCases.map { c in
                let schema = collection(c)
                return .init(number: c.rawValue, name: c.name, creators: sorted(schema.creators), deletable: schema.deletable,
                             fields: schema.fields.map { documented($0, of: c) })
            },
            workflow: .init(collection: .household, field: household.id("status").rawValue, initial: Workflow.initial,
                            statuses: WorkflowStatus.allCases.map { .init(value: $0.rawValue, chinese: $0.chineseName) },
                            duties: Duty.allCases.map { .init(value: $0.rawValue, chinese: $0.chineseName) },
                            gates: WorkflowGate.allCases, steps: Workflow.steps))
    }

    /// Roles in their declaration order, so the document does not depend on set order.
    static func sorted(_ roles: Set<Role>) -> [Role] { Role.allCases.filter(roles.contains) }

    static func documented(_ spec: FieldSpec, of c: RecordCollection) -> SchemaDocument.Field {
        var f = SchemaDocument.Field(number: spec.id.rawValue, name: spec.name, value: spec.kind.wireValue, type: spec.kind.documentName,
                                     optional: spec.optional, merge: spec.merge, writers: sorted(spec.writers),
                                     sensitive: isSensitive(c, spec.id))
        switch spec.kind {
        case .bool, .idCard, .workerID, .phone: break
        case .money(let max): (f.minimum, f.maximum) = (0, max)
        case .integer(let range): (f.minimum, f.maximum) = (range.lowerBound, range.upperBound)
        case .text(let maxLength, let required): (f.maxLength, f.required) = (maxLength, required)
        case .personName(let maxLength): f.maxLength = maxLength
        case .date(let ahead): f.maxDaysAhead = ahead
        case .enumeration(let values):
            guard let names = chineseNames(of: values) else { preconditionFailure("\(c.name).\(spec.name): no Chinese names for \(values)") }
            f.values = zip(values, names).map { .init(value: $0, chinese: $1) }
        case .reference(let target): f.references = target
        case .references(let target, let maxCount): (f.references, f.maxCount) = (target, maxCount)
        }
        if CollectionSchema.authorFields[c] == spec.id { f.namesAuthor = true }
        return f
    }
}

extension ValueKind {
    /// The wire value a field of this kind holds.
    var wireValue: String {
        switch self {
        case .bool: "bool"
        case .money, .integer: "int"
        case .text, .personName, .phone, .enumeration, .idCard, .workerID: "text"
        case .date: "date"
        case .reference: "id"
        case .references: "ids"
        }
    }

    /// The kind's name in protocol/schema.json.
    var documentName: String {
        switch self {
        case .bool: "bool"
        case .money: "money"
        case .integer: "integer"
        case .text: "text"
        case .personName: "personName"
        case .phone: "phone"
        case .date: "date"
        case .enumeration: "enumeration"
        case .idCard: "idCard"
        case .workerID: "workerID"
        case .reference: "reference"
        case .references: "references"
        }
    }
}
