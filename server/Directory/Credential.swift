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
    /// Why it was revoked, which decides what the device is told at its next contact.
    public var revocation: Revocation?

    /// Why a credential was revoked.
    public enum Revocation: String, Sendable, Hashable, Codable, CaseIterable {
        /// Lost or stolen: the next contact is answered `revoked` with an instruction to wipe at
        /// once (replica, keys, token), unsynced changes and all.
        case lost
        /// Retired (a reassigned or replaced phone): the device's outbox is still accepted, and
        /// once it holds nothing unsynced it is told to wipe.
        case retired
        /// The same device enrolled again with a new code: the old token just stops working.
        case reenrolled
    }

    public init(id: String, kind: Kind, worker: WorkerID, replica: ReplicaID?, name: String, tokenHash: TokenHash,
                issuedAtMilliseconds: Int64, revokedAtMilliseconds: Int64? = nil, revocation: Revocation? = nil) {
        self.id = id
        self.kind = kind
        self.worker = worker
        self.replica = replica
        self.name = name
        self.tokenHash = tokenHash
        self.issuedAtMilliseconds = issuedAtMilliseconds
        self.revokedAtMilliseconds = revokedAtMilliseconds
        self.revocation = revokedAtMilliseconds == nil ? nil : revocation
    }

    public var isRevoked: Bool { revokedAtMilliseconds != nil }
}

/// An enrolment code an administrator issued for one worker: single use, expiring, revocable,
/// stored hashed. `id` (`code-…`) names it in lists and revocations; the code itself is shown
/// once, at issue.
public struct EnrolmentCode: Sendable, Hashable, Codable {
    public var id: String
    public var codeHash: TokenHash
    public var worker: WorkerID
    public var issuedBy: WorkerID
    public var issuedAtMilliseconds: Int64
    public var expiresAtMilliseconds: Int64
    public var usedAtMilliseconds: Int64?
    /// The credential the code enrolled.
    public var usedBy: String?
    public var revokedAtMilliseconds: Int64?

    public init(id: String, codeHash: TokenHash, worker: WorkerID, issuedBy: WorkerID, issuedAtMilliseconds: Int64, expiresAtMilliseconds: Int64,
                usedAtMilliseconds: Int64? = nil, usedBy: String? = nil, revokedAtMilliseconds: Int64? = nil) {
        self.id = id
        self.codeHash = codeHash
        self.worker = worker
        self.issuedBy = issuedBy
        self.issuedAtMilliseconds = issuedAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.usedAtMilliseconds = usedAtMilliseconds
        self.usedBy = usedBy
        self.revokedAtMilliseconds = revokedAtMilliseconds
    }

    /// Neither used, revoked nor expired at `now`.
    public func isRedeemable(at now: Int64) -> Bool { usedAtMilliseconds == nil && revokedAtMilliseconds == nil && now < expiresAtMilliseconds }
}
