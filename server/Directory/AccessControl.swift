import FieldModel
import SyncCore

/// Enrolment, authentication and the directory's administrator actions, over a `DirectoryStore`.
/// Every enrolment, revocation and administrator action is appended to the security log; failed
/// authentications and refused enrolments are tallied by client address and minute
/// (`SecurityLogCoalescer`) and written by `flushSecurityLog`.
///
///     let access = AccessControl(store: store, serverReplica: replica)
///     let principal = try await access.authenticate(authorization: request.headers[.authorization], now: now, route: route, client: address)
public struct AccessControl: Sendable {
    public let store: any DirectoryStore
    public let serverReplica: ReplicaID
    /// How long an enrolment code stays valid by default: three days, time to reach a village.
    public var codeLifetimeMilliseconds: Int64 = 72 * 3_600_000
    /// How long an ops page session lasts from its login (a working day).
    public var opsSessionMilliseconds: Int64 = 8 * 3_600_000
    /// Refused requests waiting to be written, one entry per address and minute.
    public let refusals = SecurityLogCoalescer()

    public init(store: any DirectoryStore, serverReplica: ReplicaID) {
        self.store = store
        self.serverReplica = serverReplica
    }

    /// The administrator bootstrapped on first start.
    public static let bootstrapAdministrator = WorkerID(unchecked: "admin")

    /// Creates the `admin` worker (if missing) and an administrator token when no unrevoked
    /// administrator credential exists; returns the token then, nil otherwise.
    public func bootstrap(now: Int64) async throws -> String? {
        guard try await !store.hasAdministratorCredential() else { return nil }
        let id = Self.bootstrapAdministrator
        let token = Secrets.token()
        let credential = Credential(id: "admin-\(Self.randomHex(8))", kind: .administrator, worker: id, replica: nil,
                                    name: "bootstrap", tokenHash: TokenHash(of: token), issuedAtMilliseconds: now)
        let event = SecurityEvent(atMilliseconds: now, kind: .bootstrap, actor: nil, credential: credential.id, subject: id.rawValue,
                                  detail: "administrator token issued from the command line")
        // Another instance sharing the store may have bootstrapped since the check: then its token stands.
        guard try await store.bootstrapAdministrator(Self.administratorWorker, credential: credential, event: event, at: now) else { return nil }
        return token
    }

    /// Issues a new administrator token from the host, whatever credentials exist (all revoked,
    /// the worker demoted): `doorstep-server admin recover`. `host` says who ran it (user
    /// and host), for the security log.
    public func recover(by host: String, now: Int64) async throws -> (token: String, credential: Credential) {
        let token = Secrets.token()
        let credential = Credential(id: "admin-\(Self.randomHex(8))", kind: .administrator, worker: Self.bootstrapAdministrator, replica: nil,
                                    name: "recovery", tokenHash: TokenHash(of: token), issuedAtMilliseconds: now)
        let event = SecurityEvent(atMilliseconds: now, kind: .recovery, actor: nil, credential: credential.id,
                                  subject: Self.bootstrapAdministrator.rawValue,
                                  detail: "administrator credential \(credential.id) issued from the host by \(host.prefix(100))")
        try await store.recoverAdministrator(Self.administratorWorker, credential: credential, event: event, at: now)
        return (token, credential)
    }

    static let administratorWorker = Worker(id: bootstrapAdministrator, name: "系统管理员", role: .administrator, assignment: Assignment())

    /// The principal of an `Authorization: Bearer …` header. Failures are tallied for the
    /// security log by `client` (the request's address) and thrown as `unauthenticated`,
    /// `invalid_token` or `revoked`; a revoked credential's error says whether the device is to
    /// wipe itself. A credential revoked as `retired` is accepted when `acceptingRetired` (the
    /// sync route, which takes its outbox and nothing more).
    public func authenticate(authorization: String?, now: Int64, route: String, client: String = "unknown",
                             acceptingRetired: Bool = false) async throws -> Principal {
        do {
            guard let header = authorization, header.hasPrefix("Bearer ") else {
                throw DirectoryError(.unauthenticated, "\(route) needs an `Authorization: Bearer <token>` header")
            }
            let token = String(String(header.dropFirst("Bearer ".count)).trimmingSpaces)
            guard let (credential, worker) = try await store.credential(tokenHash: TokenHash(of: token)) else {
                throw DirectoryError(.invalidToken, "the bearer token was not issued by this server")
            }
            if credential.isRevoked, !(acceptingRetired && credential.revocation == .retired) {
                var error = DirectoryError(.revoked, "credential \(credential.id) of worker \(worker.id) was revoked; enrol the device again with a new code")
                if let reason = credential.revocation, reason != .reenrolled { error.wipe = reason }
                throw error
            }
            return Principal(credential: credential, worker: worker)
        } catch let error as DirectoryError where error.code != .storage {
            refusals.record(.authenticationFailure, address: client, reason: error.code.rawValue, detail: "\(route): \(error.message)", now: now)
            throw error
        }
    }

    /// Redeems a code: the device receives a token (once; the server keeps its hash). A refusal
    /// is tallied for the security log by `client`.
    public func enrol(code: String, replica: ReplicaID, deviceName: String, now: Int64, client: String = "unknown") async throws -> Enrolment {
        let name = String(deviceName.trimmingSpaces)
        do {
            guard replica != ReplicaID(0), replica != serverReplica else {
                throw DirectoryError(.replicaTaken, "replica \(replica) is reserved; a device draws a random replica id")
            }
            guard (1...80).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw DirectoryError(.invalidArgument, "device name must be 1–80 characters on one line, got \(name.count)")
            }
            let token = Secrets.token()
            let deviceID = "dev-\(Self.randomHex(12))"
            let (credential, worker) = try await store.redeemEnrolmentCode(TokenHash(of: Secrets.normalizedCode(code)), credential: { worker in
                Credential(id: deviceID, kind: .device, worker: worker, replica: replica, name: name,
                           tokenHash: TokenHash(of: token), issuedAtMilliseconds: now)
            }, at: now)
            try await store.appendSecurityEvents([SecurityEvent(atMilliseconds: now, kind: .enrolment, actor: worker.id, credential: credential.id,
                                                                subject: credential.id, detail: "device \"\(name)\" enrolled with replica \(replica) from \(client)")])
            return Enrolment(token: token, credential: credential, worker: worker)
        } catch let error as DirectoryError where error.code != .storage {
            refusals.record(.enrolmentRefused, address: client, reason: error.code.rawValue, detail: "replica \(replica): \(error.message)", now: now)
            throw error
        }
    }

    /// Writes the tallied refusals of minutes over by `now` (all of them when nil, at
    /// shutdown): one security-log entry per address and minute. Returns how many entries.
    @discardableResult
    public func flushSecurityLog(now: Int64?) async throws -> Int {
        let events = refusals.drain(before: now)
        try await store.appendSecurityEvents(events)
        return events.count
    }

    /// Records an authorization failure: an authenticated worker asked for what their role or
    /// scope does not allow.
    public func recordRefusal(_ principal: Principal, route: String, _ error: some CustomStringConvertible, now: Int64) async throws {
        try await store.appendSecurityEvents([SecurityEvent(atMilliseconds: now, kind: .authorizationFailure, actor: principal.worker.id,
                                                            credential: principal.credential.id, subject: route, detail: error.description)])
    }

    static func randomHex(_ digits: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<digits).map { _ in Array("0123456789abcdef")[Int.random(in: 0..<16, using: &generator)] })
    }
}

/// What a device receives at enrolment. The token is shown once and never stored by the server.
public struct Enrolment: Sendable, Hashable {
    public let token: String
    public let credential: Credential
    public let worker: Worker
}
