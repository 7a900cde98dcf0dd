import FieldModel
import SyncCore

/// A token the server issued, as the directory keeps it: only the token's hash, never the token.
///
/// A device credential carries the replica the device writes as; an administrator's credential
/// (bootstrapped from the command line) carries none.
public struct Credential: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case device
        case administrator
    }

    /// The device id (`dev-…`) or, for an administrator credential, `admin-…`.
    public var id: String
    public var kind: Kind
    public var worker: WorkerID
    public var replica: ReplicaID?
    /// What the device called itself at enrolment ("Li Hua's phone"), for ops.
    public var name: String
    public var tokenHash: TokenHash
    public var issuedAtMilliseconds: Int64
    public var revokedAtMilliseconds: Int64?

    public init(id: String, kind: Kind, worker: WorkerID, replica: ReplicaID?, name: String, tokenHash: TokenHash,
                issuedAtMilliseconds: Int64, revokedAtMilliseconds: Int64? = nil) {
        self.id = id
        self.kind = kind
        self.worker = worker
        self.replica = replica
        self.name = name
        self.tokenHash = tokenHash
        self.issuedAtMilliseconds = issuedAtMilliseconds
        self.revokedAtMilliseconds = revokedAtMilliseconds
    }

    public var isRevoked: Bool { revokedAtMilliseconds != nil }
}

/// An enrolment code an administrator issued for one worker: single use, expiring, stored hashed.
public struct EnrolmentCode: Sendable, Hashable {
    public var codeHash: TokenHash
    public var worker: WorkerID
    public var issuedBy: WorkerID
    public var issuedAtMilliseconds: Int64
    public var expiresAtMilliseconds: Int64

    public init(codeHash: TokenHash, worker: WorkerID, issuedBy: WorkerID, issuedAtMilliseconds: Int64, expiresAtMilliseconds: Int64) {
        self.codeHash = codeHash
        self.worker = worker
        self.issuedBy = issuedBy
        self.issuedAtMilliseconds = issuedAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
    }
}
