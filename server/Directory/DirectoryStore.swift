import FieldModel
import SyncCore

/// Where the server keeps workers, credentials, enrolment codes, ops sessions and the security
/// log. Every method commits completely or changes nothing; errors are `DirectoryError`.
///
/// No method caches: a revocation is seen by the very next request, on every server instance
/// sharing the store. A guard and the write it guards run in one transaction (the last
/// administrator credential is never revoked, whatever the requests racing for it).
public protocol DirectoryStore: Sendable {
    func worker(_ id: WorkerID) async throws -> Worker?
    func workers() async throws -> [Worker]
    /// Adds a worker; `worker_exists` when the id is taken.
    func insertWorker(_ worker: Worker, at milliseconds: Int64) async throws
    /// Replaces a worker's name, role and assignment; `unknown_worker` when there is none,
    /// `last_administrator` when it would leave no unrevoked administrator credential.
    func updateWorker(_ worker: Worker, at milliseconds: Int64) async throws

    /// Whether any unrevoked administrator credential exists.
    func hasAdministratorCredential() async throws -> Bool

    /// In one transaction, serialized with every other bootstrap on the same store (several
    /// server instances may start at once): when no unrevoked administrator credential exists,
    /// adds `administrator` unless that worker exists, stores `credential` and appends `event`,
    /// and returns true; otherwise changes nothing and returns false.
    func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                at milliseconds: Int64) async throws -> Bool

    /// In one transaction, whatever credentials exist: makes `administrator` an administrator
    /// (creating the worker if missing), stores `credential` and appends `event`. What
    /// `doorstep-server admin recover` does from the host.
    func recoverAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                              at milliseconds: Int64) async throws

    func insertEnrolmentCode(_ code: EnrolmentCode) async throws

    /// In one transaction: takes the unused, unrevoked, unexpired code with `codeHash` (else
    /// `invalid_code`), checks the credential's replica is not enrolled for another worker (else
    /// `replica_taken`), revokes earlier credentials of the same replica (as `reenrolled`),
    /// marks the code used and stores `credential` for the code's worker. Returns the stored
    /// credential and its worker.
    func redeemEnrolmentCode(_ codeHash: TokenHash, credential: @escaping @Sendable (WorkerID) -> Credential,
                             at milliseconds: Int64) async throws -> (Credential, Worker)

    /// Codes issued for `worker`, or for everyone when nil, oldest first.
    func enrolmentCodes(worker: WorkerID?) async throws -> [EnrolmentCode]

    /// Revokes one code (a used one stays used); `unknown_code` when there is none.
    func revokeEnrolmentCode(id: String, at milliseconds: Int64) async throws -> EnrolmentCode

    /// Stores a credential that needs no code (the bootstrapped administrator's).
    func insertCredential(_ credential: Credential) async throws

    /// The credential with `tokenHash` and its worker as stored now, nil when none.
    func credential(tokenHash: TokenHash) async throws -> (Credential, Worker)?

    /// Credentials of `worker`, or of everyone when nil, oldest first.
    func credentials(worker: WorkerID?) async throws -> [Credential]

    /// Revokes one credential for `reason`; `unknown_device` when there is none,
    /// `last_administrator` when it is the last unrevoked administrator credential. Returns it
    /// as revoked (an earlier revocation stands, with its reason).
    func revokeCredential(id: String, reason: Credential.Revocation, at milliseconds: Int64) async throws -> Credential

    /// Revokes every unrevoked credential of `worker` for `reason` and voids their unused
    /// enrolment codes; `last_administrator` when that would leave no administrator credential.
    func revokeCredentials(worker: WorkerID, reason: Credential.Revocation, at milliseconds: Int64) async throws -> WorkerRevocation

    func insertOpsSession(_ session: OpsSession) async throws
    /// The session with `idHash`, with its credential and worker as stored now; nil when none.
    func opsSession(idHash: TokenHash) async throws -> (OpsSession, Credential, Worker)?
    /// Ends a session (logout); ending an ended or unknown one changes nothing.
    func endOpsSession(idHash: TokenHash, at milliseconds: Int64) async throws

    /// Appends events to the chained security log.
    func appendSecurityEvents(_ events: [SecurityEvent]) async throws

    /// The latest `limit` security events, oldest first.
    func securityEvents(limit: Int) async throws -> [SecurityEvent]
}

/// What revoking a worker's devices did.
public struct WorkerRevocation: Sendable, Hashable, Codable {
    public var credentials: Int
    public var codes: Int

    public init(credentials: Int, codes: Int) {
        self.credentials = credentials
        self.codes = codes
    }
}
