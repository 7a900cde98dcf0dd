import FieldModel

/// One entry of the append-only security log: enrolments, revocations, administrator actions
/// and authorization failures. Applied changes have their own audit log (`AuditEntry`).
///
/// Never an ID-card number, a token or a code: `detail` names workers, devices, villages and
/// record ids only.
public struct SecurityEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case enrolment
        case enrolmentRefused = "enrolment_refused"
        case revocation
        case adminAction = "admin_action"
        case authenticationFailure = "authentication_failure"
        case authorizationFailure = "authorization_failure"
        case bootstrap
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

    public init(atMilliseconds: Int64, kind: Kind, actor: WorkerID?, credential: String?, subject: String, detail: String) {
        self.atMilliseconds = atMilliseconds
        self.kind = kind
        self.actor = actor
        self.credential = credential
        self.subject = subject
        self.detail = detail
    }
}
