import FieldModel
import ServerDirectory
import ServerEngine
import SyncCore

/// The JSON documents of the reviewer and administrator endpoints (`protocol/openapi.yaml`).
/// Times are ms since the epoch; record ids are UUID strings; codes are strings of digits.

/// A record waiting for a reviewer: each field with concurrent values, each value with who
/// wrote it and when.
public struct ConflictDocument: Codable, Sendable, Hashable {
    public let collection: String
    public let id: String
    public let village: String
    public let fields: [Field]
    /// True when one device deleted the record while another changed it.
    public let deleteConflict: Bool

    public struct Field: Codable, Sendable, Hashable {
        public let field: String
        public let values: [Value]
    }

    public struct Value: Codable, Sendable, Hashable {
        public let value: FieldValueJSON
        public let author: String
        public let dot: String
        public let atMilliseconds: Int64
    }

    public init(_ state: RecordState) {
        collection = state.key.collection.name
        id = state.key.id.description
        village = state.key.scope.description
        deleteConflict = state.hasDeleteConflict
        fields = state.conflictedFields.map { fid in
            Field(field: state.schema.field(fid)?.name ?? "#\(fid)",
                  values: (state.fields[fid]?.siblings ?? []).sorted { Sibling.wins($0, over: $1) }.map {
                      Value(value: FieldValueJSON($0.value), author: $0.author.rawValue, dot: $0.dot.description, atMilliseconds: $0.hlc.milliseconds)
                  })
        }
    }
}

public struct ConflictListDocument: Codable, Sendable, Hashable {
    public let conflicts: [ConflictDocument]
}

/// A reviewer's decision: the value a field keeps.
public struct ResolutionDocument: Codable, Sendable, Hashable {
    public let collection: String
    public let id: String
    public let village: String
    public let field: String
    public let value: FieldValueJSON

    public init(collection: String, id: String, village: String, field: String, value: FieldValueJSON) {
        self.collection = collection
        self.id = id
        self.village = village
        self.field = field
        self.value = value
    }
}

public struct ResolutionResultDocument: Codable, Sendable, Hashable {
    public let outcome: String
    public let dot: String
}

public struct DeviceDocument: Codable, Sendable, Hashable {
    public let id: String
    public let kind: String
    public let worker: String
    public let replica: String?
    public let name: String
    public let issuedAtMilliseconds: Int64
    public let revokedAtMilliseconds: Int64?

    public init(_ c: Credential) {
        id = c.id
        kind = c.kind.rawValue
        worker = c.worker.rawValue
        replica = c.replica?.description
        name = c.name
        issuedAtMilliseconds = c.issuedAtMilliseconds
        revokedAtMilliseconds = c.revokedAtMilliseconds
    }
}

public struct CodeRequestDocument: Codable, Sendable, Hashable {
    /// How long the code stays valid; the server's default (72 h) when absent.
    public let lifetimeHours: Int?
    public init(lifetimeHours: Int? = nil) { self.lifetimeHours = lifetimeHours }
}

public struct CodeDocument: Codable, Sendable, Hashable {
    public let code: String
    public let worker: String
    public let expiresAtMilliseconds: Int64
}

public struct RevokedDocument: Codable, Sendable, Hashable {
    public let revoked: Int
}

/// 近亲属备案: an administrator files that a close relative of a staff member, or of a person
/// without an account (a village cadre: `staffName`, and `staffPosition`), applies.
public struct FilingDocument: Codable, Sendable, Hashable {
    /// The worker's id; absent for a person without an account.
    public let staff: String?
    public let household: String
    public let village: String
    public let relation: String
    /// The filing date, `2024-03-05`; today when absent.
    public let filedOn: String?
    /// The person's name: required without `staff`, the directory's name otherwise.
    public let staffName: String?
    /// The person's post (村委会委员, 乡镇民政助理员, …).
    public let staffPosition: String?

    public init(staff: String?, household: String, village: String, relation: String, filedOn: String? = nil,
                staffName: String? = nil, staffPosition: String? = nil) {
        self.staff = staff
        self.household = household
        self.village = village
        self.relation = relation
        self.filedOn = filedOn
        self.staffName = staffName
        self.staffPosition = staffPosition
    }
}

/// A withdrawn filing: it stays on the special roster, marked, and binds no recusal.
public struct WithdrawnFilingDocument: Codable, Sendable, Hashable {
    public let id: String
    public let withdrawnOn: String
}

public struct CreatedDocument: Codable, Sendable, Hashable {
    public let id: String
}

public struct RosterResultDocument: Codable, Sendable, Hashable {
    public let households: Int
    public let members: Int
    public let villages: [String]
}

public struct SecurityEventDocument: Codable, Sendable, Hashable {
    public let atMilliseconds: Int64
    public let kind: String
    public let actor: String?
    public let credential: String?
    public let subject: String
    public let detail: String

    public init(_ e: SecurityEvent) {
        atMilliseconds = e.atMilliseconds
        kind = e.kind.rawValue
        actor = e.actor?.rawValue
        credential = e.credential
        subject = e.subject
        detail = e.detail
    }
}

/// One applied change as the audit log keeps it: who, which device, when, which record and
/// field; never a value.
public struct AuditEntryDocument: Codable, Sendable, Hashable {
    public let atMilliseconds: Int64
    public let worker: String
    public let deviceID: String
    public let dot: String
    public let collection: String
    public let id: String
    public let village: String
    public let action: String
    public let field: String?
    public let outcome: String

    public init(_ e: AuditEntry) {
        atMilliseconds = e.atMilliseconds
        worker = e.worker.rawValue
        deviceID = e.deviceID
        dot = e.dot.description
        collection = e.record.collection.name
        id = e.record.id.description
        village = e.record.scope.description
        action = e.action.name
        field = e.action.field.flatMap { e.record.collection.schema.field($0)?.name }
        outcome = e.outcome.rawValue
    }
}
