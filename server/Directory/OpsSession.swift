import FieldModel

/// A signed-in ops page: the browser holds a random session id in an HttpOnly cookie, never the
/// administrator's API token; the server keeps the id's SHA-256, the credential and worker it
/// was opened with, and when it expires or was ended (logout).
///
/// Every page view checks the session and, through it, that its credential is still an
/// unrevoked administrator's: revoking the token ends its sessions too.
public struct OpsSession: Sendable, Hashable {
    public var idHash: TokenHash
    public var credential: String
    public var worker: WorkerID
    public var createdAtMilliseconds: Int64
    public var expiresAtMilliseconds: Int64
    public var endedAtMilliseconds: Int64?

    public init(idHash: TokenHash, credential: String, worker: WorkerID, createdAtMilliseconds: Int64, expiresAtMilliseconds: Int64,
                endedAtMilliseconds: Int64? = nil) {
        self.idHash = idHash
        self.credential = credential
        self.worker = worker
        self.createdAtMilliseconds = createdAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.endedAtMilliseconds = endedAtMilliseconds
    }

    public func isOpen(at now: Int64) -> Bool { endedAtMilliseconds == nil && now < expiresAtMilliseconds }
}
