import FieldModel
import SyncCore

/// The administrator's actions on the directory. Each checks the principal is an administrator
/// (else `forbidden`, logged) and appends an `admin_action` event.
extension AccessControl {
    public func requireAdministrator(_ principal: Principal, route: String, now: Int64) async throws {
        guard principal.isAdministrator else {
            let error = DirectoryError(.forbidden, "\(route) needs an administrator token; worker \(principal.worker.id) is a \(principal.worker.role.rawValue)")
            try await recordRefusal(principal, route: route, error, now: now)
            throw error
        }
    }

    public func createWorker(_ worker: Worker, by admin: Principal, now: Int64) async throws {
        try await checkAssignment(worker, by: admin, route: "create worker", now: now)
        try await store.insertWorker(worker, at: now)
        try await log(admin, subject: worker.id.rawValue, "created worker \(worker.id) as \(worker.role.rawValue) for \(Jurisdiction(worker).assignment.summary)", now: now)
    }

    /// Changes a worker's assignment (and name or role). Devices see the new scope on their next
    /// sync: the server reads the worker on every request.
    public func updateWorker(_ worker: Worker, by admin: Principal, now: Int64) async throws {
        try await checkAssignment(worker, by: admin, route: "update worker", now: now)
        try await store.updateWorker(worker, at: now)
        try await log(admin, subject: worker.id.rawValue, "worker \(worker.id) is now \(worker.role.rawValue) for \(Jurisdiction(worker).assignment.summary)", now: now)
    }

    public func issueEnrolmentCode(for workerID: WorkerID, by admin: Principal, lifetimeMilliseconds: Int64?, now: Int64) async throws -> IssuedCode {
        guard let worker = try await store.worker(workerID) else { throw DirectoryError(.unknownWorker, "no worker \(workerID)") }
        guard worker.role != .administrator else {
            throw DirectoryError(.notFieldStaff, "worker \(workerID) is an administrator; devices enrol for field staff")
        }
        let lifetime = lifetimeMilliseconds ?? codeLifetimeMilliseconds
        guard (60_000...30 * 86_400_000).contains(lifetime) else {
            throw DirectoryError(.invalidArgument, "code lifetime \(lifetime / 1000) s is outside 1 minute … 30 days")
        }
        let code = Secrets.enrolmentCode()
        let issued = IssuedCode(id: "code-\(Self.randomHex(16))", code: code, worker: workerID, expiresAtMilliseconds: now + lifetime)
        try await store.insertEnrolmentCode(EnrolmentCode(id: issued.id, codeHash: TokenHash(of: code), worker: workerID, issuedBy: admin.worker.id,
                                                          issuedAtMilliseconds: now, expiresAtMilliseconds: issued.expiresAtMilliseconds))
        try await log(admin, subject: workerID.rawValue, "issued enrolment code \(issued.id) for worker \(workerID), valid until \(issued.expiresAtMilliseconds)", now: now)
        return issued
    }

    /// Revokes one unused code: it no longer enrols anything.
    public func revokeEnrolmentCode(_ id: String, by admin: Principal, now: Int64) async throws -> EnrolmentCode {
        let code = try await store.revokeEnrolmentCode(id: id, at: now)
        try await log(admin, subject: code.worker.rawValue, "revoked enrolment code \(id) of worker \(code.worker)", now: now)
        return code
    }

    /// Revokes one credential: a device (`lost`: its next contact wipes it; `retired`: its
    /// outbox is accepted, then it wipes) or an administrator token (never the last one).
    public func revokeDevice(_ id: String, reason: Credential.Revocation = .lost, by admin: Principal, now: Int64) async throws -> Credential {
        let credential = try await store.revokeCredential(id: id, reason: reason, at: now)
        try await store.appendSecurityEvents([SecurityEvent(atMilliseconds: now, kind: .revocation, actor: admin.worker.id, credential: admin.credential.id,
                                                            subject: id, detail: "revoked \(credential.kind.rawValue) \(id) of worker \(credential.worker) as \(reason.rawValue)")])
        return credential
    }

    /// Revokes every device of a worker (a lost phone, a worker leaving) and voids their unused
    /// enrolment codes.
    public func revokeWorkerDevices(_ worker: WorkerID, reason: Credential.Revocation = .lost, by admin: Principal, now: Int64) async throws -> WorkerRevocation {
        guard try await store.worker(worker) != nil else { throw DirectoryError(.unknownWorker, "no worker \(worker)") }
        let done = try await store.revokeCredentials(worker: worker, reason: reason, at: now)
        try await store.appendSecurityEvents([SecurityEvent(atMilliseconds: now, kind: .revocation, actor: admin.worker.id, credential: admin.credential.id,
                                                            subject: worker.rawValue,
                                                            detail: "revoked all \(done.credentials) credentials of worker \(worker) as \(reason.rawValue) and voided \(done.codes) unused enrolment codes")])
        return done
    }

    /// Appends an `admin_action` event.
    public func log(_ admin: Principal, subject: String, _ detail: String, now: Int64) async throws {
        try await store.appendSecurityEvents([SecurityEvent(atMilliseconds: now, kind: .adminAction, actor: admin.worker.id,
                                                            credential: admin.credential.id, subject: subject, detail: detail)])
    }

    /// Refuses an assignment that does not fit the role, and logs the refusal: an administrator
    /// widening a worker's reach is a security event.
    func checkAssignment(_ worker: Worker, by admin: Principal, route: String, now: Int64) async throws {
        do { try Self.checkAssignment(worker) } catch {
            try await recordRefusal(admin, route: route, error, now: now)
            throw error
        }
    }

    /// Assignments fit roles: a village assistant is assigned villages, a township reviewer
    /// townships, a county confirmer counties, a city supervisor cities, each at least one and
    /// nothing else; an administrator writes no household data and takes no assignment.
    static func checkAssignment(_ worker: Worker) throws(DirectoryError) {
        let a = worker.assignment
        let given: [(String, Bool)] = [("villages", !a.villages.isEmpty), ("townships", !a.townships.isEmpty),
                                       ("counties", !a.counties.isEmpty), ("cities", !a.cities.isEmpty)]
        let kind: String? = switch worker.role {
        case .villageAssistant: "villages"
        case .townshipReviewer: "townships"
        case .countyConfirmer: "counties"
        case .citySupervisor: "cities"
        case .administrator: nil
        }
        guard let kind else {
            guard a.isEmpty else {
                throw DirectoryError(.invalidArgument, "administrator \(worker.id) writes no household data and takes no assignment, not \(a.summary)")
            }
            return
        }
        let others = given.filter { $0.1 && $0.0 != kind }.map(\.0)
        guard others.isEmpty, given.contains(where: { $0.0 == kind && $0.1 }) else {
            throw DirectoryError(.invalidArgument,
                                 "a \(worker.role.rawValue) (\(worker.role.chineseName)) is assigned \(kind) only, at least one; worker \(worker.id) was given \(a.summary)")
        }
    }
}

/// An enrolment code as the administrator receives it: shown once. `id` names it afterwards.
public struct IssuedCode: Sendable, Hashable, Codable {
    public let id: String
    public let code: String
    public let worker: WorkerID
    public let expiresAtMilliseconds: Int64
}
