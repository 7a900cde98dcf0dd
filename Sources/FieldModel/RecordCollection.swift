/// The kinds of record that sync. The raw value is the stable wire number.
public enum RecordCollection: UInt8, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case household = 1
    case member = 2
    case visit = 3
    case discoveryLead = 4
    case relativeFiling = 5
    case publicNotice = 6
    case attachment = 7

    public var name: String {
        switch self {
        case .household: "household"
        case .member: "member"
        case .visit: "visit"
        case .discoveryLead: "discoveryLead"
        case .relativeFiling: "relativeFiling"
        case .publicNotice: "publicNotice"
        case .attachment: "attachment"
        }
    }

    /// What county staff call the records of this kind (ops pages, alerts).
    public var chineseName: String {
        switch self {
        case .household: "家庭"
        case .member: "家庭成员"
        case .visit: "走访"
        case .discoveryLead: "主动发现线索"
        case .relativeFiling: "近亲属备案"
        case .publicNotice: "公示"
        case .attachment: "佐证材料"
        }
    }

    /// The schema version that added the collection: a device of an older one is not sent its
    /// records (SPEC §9).
    public var introducedInSchema: UInt32 {
        self == .attachment ? 3 : 1
    }

    public init?(name: String) {
        guard let c = RecordCollection.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }

    public var description: String { name }
    public var schema: CollectionSchema { Schema.collection(self) }
}

/// A collection's fields, who may create its records, and whether they may be deleted.
public struct CollectionSchema: Sendable {
    public let collection: RecordCollection
    public let fields: [FieldSpec]
    public let creators: Set<Role>
    public let deletable: Bool
    private let byID: [FieldID: FieldSpec]
    private let byName: [String: FieldSpec]

    init(_ collection: RecordCollection, creators: Set<Role>, deletable: Bool, fields: [FieldSpec]) {
        self.collection = collection
        self.fields = fields
        self.creators = creators
        self.deletable = deletable
        self.byID = Dictionary(uniqueKeysWithValues: fields.map { ($0.id, $0) })
        self.byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
    }

    public func field(_ id: FieldID) -> FieldSpec? { byID[id] }
    public func field(named name: String) -> FieldSpec? { byName[name] }

    /// The field naming the household a record belongs to (a member's, a visit's, a filing's),
    /// found by its kind: nil for collections that name none.
    public var householdReference: FieldSpec? {
        fields.first { if case .reference(.household) = $0.kind { true } else { false } }
    }

    /// Every field immutable: the record is written once (visits, filings).
    public var isAppendOnly: Bool { fields.allSatisfy { $0.merge == .immutable } }

    /// The field id for `name`; traps on a name the schema does not declare (a programming error).
    public func id(_ name: String) -> FieldID {
        guard let f = byName[name] else { preconditionFailure("\(collection.name) has no field \(name)") }
        return f.id
    }
}
