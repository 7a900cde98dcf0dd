import FieldModel
import SyncCore

/// Where the server keeps workers, credentials, enrolment codes and the security log. Every
/// method commits completely or changes nothing; errors are `DirectoryError`.
///
/// No method caches: a revocation is seen by the very next request, on every server instance
/// sharing the store.
public protocol DirectoryStore: Sendable {
    func worker(_ id: WorkerID) async throws -> Worker?
    func workers() async throws -> [Worker]
    /// Adds a worker; `worker_exists` when the id is taken.
    func insertWorker(_ worker: Worker, at milliseconds: Int64) async throws
    /// Replaces a worker's name, role and assignment; `unknown_worker` when there is none.
    func updateWorker(_ worker: Worker, at milliseconds: Int64) async throws

    /// Whether any unrevoked administrator credential exists.
    func hasAdministratorCredential() async throws -> Bool

    /// In one transaction, serialized with every other bootstrap on the same store (several
    /// server instances may start at once): when no unrevoked administrator credential exists,
    /// adds `administrator` unless that worker exists, stores `credential` and appends `event`,
    /// and returns true; otherwise changes nothing and returns false.
    func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                at milliseconds: Int64) async throws -> Bool

    func insertEnrolmentCode(_ code: EnrolmentCode) async throws

    /// In one transaction: takes the unused, unexpired code with `codeHash` (else `invalid_code`),
    /// checks the credential's replica is not enrolled for another worker (else `replica_taken`),
    /// revokes earlier credentials of the same replica, marks the code used and stores
    /// `credential` for the code's worker. Returns the stored credential and its worker.
    func redeemEnrolmentCode(_ codeHash: TokenHash, credential: @escaping @Sendable (WorkerID) -> Credential,
                             at milliseconds: Int64) async throws -> (Credential, Worker)

    /// Stores a credential that needs no code (the bootstrapped administrator's).
    func insertCredential(_ credential: Credential) async throws

    /// The credential with `tokenHash` and its worker as stored now, nil when none.
    func credential(tokenHash: TokenHash) async throws -> (Credential, Worker)?

    /// Credentials of `worker`, or of everyone when nil, oldest first.
    func credentials(worker: WorkerID?) async throws -> [Credential]

    /// Revokes one credential; `unknown_device` when there is none. Returns it as revoked.
    func revokeCredential(id: String, at milliseconds: Int64) async throws -> Credential

    /// Revokes every unrevoked credential of `worker`; returns how many.
    func revokeCredentials(worker: WorkerID, at milliseconds: Int64) async throws -> Int

    func appendSecurityEvents(_ events: [SecurityEvent]) async throws

    /// The latest `limit` security events, oldest first.
    func securityEvents(limit: Int) async throws -> [SecurityEvent]
}
