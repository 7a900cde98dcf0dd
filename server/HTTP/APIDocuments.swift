import FieldModel
import Foundation
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
    /// Why it was revoked: `lost`, `retired` or `reenrolled`.
    public let revocation: String?

    public init(_ c: Credential) {
        id = c.id
        kind = c.kind.rawValue
        worker = c.worker.rawValue
        replica = c.replica?.description
        name = c.name
        issuedAtMilliseconds = c.issuedAtMilliseconds
        revokedAtMilliseconds = c.revokedAtMilliseconds
        revocation = c.revocation?.rawValue
    }
}

/// Why a device is revoked (optional body of the revocations; `lost` when absent).
public struct RevocationDocument: Codable, Sendable, Hashable {
    public let reason: String?
    public init(reason: String?) { self.reason = reason }
}

public struct CodeRequestDocument: Codable, Sendable, Hashable {
    /// How long the code stays valid; the server's default (72 h) when absent.
    public let lifetimeHours: Int?
    public init(lifetimeHours: Int? = nil) { self.lifetimeHours = lifetimeHours }
}

public struct CodeDocument: Codable, Sendable, Hashable {
    public let id: String
    public let code: String
    public let worker: String
    public let expiresAtMilliseconds: Int64
}

/// An issued code as lists show it: never the code itself.
public struct EnrolmentCodeDocument: Codable, Sendable, Hashable {
    public let id: String
    public let worker: String
    public let issuedBy: String
    public let issuedAtMilliseconds: Int64
    public let expiresAtMilliseconds: Int64
    public let usedAtMilliseconds: Int64?
    public let usedBy: String?
    public let revokedAtMilliseconds: Int64?
    /// `unused`, `used`, `revoked` or `expired`.
    public let state: String

    public init(_ c: EnrolmentCode, now: Int64) {
        id = c.id
        worker = c.worker.rawValue
        issuedBy = c.issuedBy.rawValue
        issuedAtMilliseconds = c.issuedAtMilliseconds
        expiresAtMilliseconds = c.expiresAtMilliseconds
        usedAtMilliseconds = c.usedAtMilliseconds
        usedBy = c.usedBy
        revokedAtMilliseconds = c.revokedAtMilliseconds
        state = c.usedAtMilliseconds != nil ? "used" : c.revokedAtMilliseconds != nil ? "revoked" : now >= c.expiresAtMilliseconds ? "expired" : "unused"
    }
}

public struct RevokedDocument: Codable, Sendable, Hashable {
    public let revoked: Int
    /// Unused enrolment codes of the worker that no longer enrol anything.
    public let codesVoided: Int
}

/// ID numbers to look up by blind index.
public struct PersonLookupDocument: Codable, Sendable, Hashable {
    public let idNumbers: [String]
    public init(idNumbers: [String]) { self.idNumbers = idNumbers }
}

/// The records holding each looked-up ID number, by its position in the request.
public struct PersonLookupResultDocument: Codable, Sendable, Hashable {
    public let results: [Result]

    public struct Result: Codable, Sendable, Hashable {
        public let index: Int
        public let records: [Record]
    }

    public struct Record: Codable, Sendable, Hashable {
        public let collection: String
        public let id: String
        public let village: String
    }
}

/// Where a hash-chained log's chain starts (its anchor) and ends (its head), links in hex.
public struct LogChainDocument: Codable, Sendable, Hashable {
    public let log: String
    public let anchorID: Int64
    public let anchor: String
    public let headID: Int64
    public let head: String

    public init(_ s: LogChainState) {
        log = s.log.rawValue
        anchorID = s.anchorID
        anchor = s.anchor.map { String(format: "%02x", $0) }.joined()
        headID = s.headID
        head = s.head.map { String(format: "%02x", $0) }.joined()
    }
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
    /// How many events the entry stands for (failed authentications are coalesced per address and minute).
    public let count: Int

    public init(_ e: SecurityEvent) {
        atMilliseconds = e.atMilliseconds
        kind = e.kind.rawValue
        actor = e.actor?.rawValue
        credential = e.credential
        subject = e.subject
        detail = e.detail
        count = e.count
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
