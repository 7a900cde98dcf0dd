import FieldModel
import SyncCore

/// One entry of the append-only, hash-chained security log: enrolments, revocations,
/// administrator actions, recoveries and refused requests. Applied changes have their own audit
/// log (`AuditEntry`).
///
/// Never an ID-card number, a token or a code: `detail` names workers, devices, villages and
/// record ids only. Failed authentications and refused enrolments are coalesced: one entry per
/// client address and minute, `count` saying how many (`SecurityLogCoalescer`).
public struct SecurityEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case enrolment
        case enrolmentRefused = "enrolment_refused"
        case revocation
        case adminAction = "admin_action"
        case authenticationFailure = "authentication_failure"
        case authorizationFailure = "authorization_failure"
        case bootstrap
        /// A new administrator credential issued from the host (`doorstep-server admin recover`).
        case recovery
    }

    public var atMilliseconds: Int64
    public var kind: Kind
    /// The worker who acted (the token's), nil when no token identified anyone.
    public var actor: WorkerID?
    /// The credential that acted, nil when none did.
    public var credential: String?
    /// What the event is about: a worker id, a device id, a route.
    public var subject: String
    public var detail: String
    /// How many events this entry stands for: 1, or more for a coalesced entry.
    public var count: Int

    public init(atMilliseconds: Int64, kind: Kind, actor: WorkerID?, credential: String?, subject: String, detail: String, count: Int = 1) {
        self.atMilliseconds = atMilliseconds
        self.kind = kind
        self.actor = actor
        self.credential = credential
        self.subject = subject
        self.detail = detail
        self.count = count
    }

    /// The bytes the log chain commits to: every column in a fixed order.
    public var chainBytes: [UInt8] {
        var w = BinaryWriter(capacity: 128)
        w.signed(atMilliseconds)
        w.string(kind.rawValue)
        w.string(actor?.rawValue ?? "")
        w.string(credential ?? "")
        w.string(subject)
        w.string(detail)
        w.signed(Int64(count))
        return w.bytes
    }
}
