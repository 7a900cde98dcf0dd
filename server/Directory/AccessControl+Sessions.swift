import FieldModel

/// Sessions of the ops page: a login with an administrator token opens one, the browser keeps
/// only the session's random id (`doorstep_session` cookie), logout ends it.
extension AccessControl {
    /// Opens a session for an administrator; returns its id (256 random bits, shown once: the
    /// store keeps its SHA-256) and when it expires.
    public func openOpsSession(for principal: Principal, now: Int64) async throws -> (id: String, expiresAtMilliseconds: Int64) {
        try await requireAdministrator(principal, route: "POST /ops/login", now: now)
        let id = Secrets.token()
        let expires = now + opsSessionMilliseconds
        try await store.insertOpsSession(OpsSession(idHash: TokenHash(of: id), credential: principal.credential.id, worker: principal.worker.id,
                                                    createdAtMilliseconds: now, expiresAtMilliseconds: expires))
        try await log(principal, subject: "ops", "opened an ops session until \(expires)", now: now)
        return (id, expires)
    }

    /// The administrator an open session belongs to, nil when the session is unknown, ended or
    /// expired, or its credential was revoked or its worker is no longer an administrator.
    public func opsSession(_ id: String, now: Int64) async throws -> Principal? {
        guard let (session, credential, worker) = try await store.opsSession(idHash: TokenHash(of: id)), session.isOpen(at: now),
              !credential.isRevoked else { return nil }
        let principal = Principal(credential: credential, worker: worker)
        return principal.isAdministrator ? principal : nil
    }

    /// Ends a session (logout).
    public func endOpsSession(_ id: String, now: Int64) async throws {
        guard let principal = try await opsSession(id, now: now) else { return }
        try await store.endOpsSession(idHash: TokenHash(of: id), at: now)
        try await log(principal, subject: "ops", "ended an ops session", now: now)
    }
}
