import FieldModel
import Foundation
import SyncCore

/// How every storage backend writes workers and credentials into columns and reads them back,
/// checking what it reads. One definition for SQLite and PostgreSQL.
public enum StoredDirectoryColumns {
    /// An assignment as the `assignment` column holds it: JSON with sorted keys, so equal
    /// assignments are equal text.
    public static func assignmentJSON(_ assignment: Assignment) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(assignment), as: UTF8.self)
    }

    public static func worker(id: String, name: String, role raw: String, assignmentJSON json: String) throws(DirectoryError) -> Worker {
        guard let role = Role(rawValue: raw) else { throw DirectoryError(.storage, "worker \(id) has an unknown role \"\(raw.prefix(30))\"") }
        let assignment: Assignment
        do { assignment = try JSONDecoder().decode(Assignment.self, from: Data(json.utf8)) } catch {
            throw DirectoryError(.storage, "worker \(id)'s stored assignment is unreadable: \(error)")
        }
        return Worker(id: WorkerID(unchecked: id), name: name, role: role, assignment: assignment)
    }

    public static func credential(id: String, kind raw: String, worker: String, replica: Int64?, name: String, tokenHash: String,
                                  issuedAtMilliseconds: Int64, revokedAtMilliseconds: Int64?, revocation: String?) throws(DirectoryError) -> Credential {
        guard let kind = Credential.Kind(rawValue: raw) else { throw DirectoryError(.storage, "credential \(id) has an unknown kind \"\(raw.prefix(30))\"") }
        let reason = try revocation.map { text throws(DirectoryError) in
            guard let r = Credential.Revocation(rawValue: text) else { throw DirectoryError(.storage, "credential \(id) has an unknown revocation \"\(text.prefix(30))\"") }
            return r
        }
        // A credential revoked before reasons were kept counts as lost: a revocation meant a lost device.
        return Credential(id: id, kind: kind, worker: WorkerID(unchecked: worker), replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
                          name: name, tokenHash: TokenHash(hex: tokenHash), issuedAtMilliseconds: issuedAtMilliseconds,
                          revokedAtMilliseconds: revokedAtMilliseconds, revocation: reason ?? .lost)
    }

    public static func enrolmentCode(id: String, codeHash: String, worker: String, issuedBy: String, issuedAtMilliseconds: Int64,
                                     expiresAtMilliseconds: Int64, usedAtMilliseconds: Int64?, usedBy: String?,
                                     revokedAtMilliseconds: Int64?) -> EnrolmentCode {
        EnrolmentCode(id: id, codeHash: TokenHash(hex: codeHash), worker: WorkerID(unchecked: worker), issuedBy: WorkerID(unchecked: issuedBy),
                      issuedAtMilliseconds: issuedAtMilliseconds, expiresAtMilliseconds: expiresAtMilliseconds,
                      usedAtMilliseconds: usedAtMilliseconds, usedBy: usedBy, revokedAtMilliseconds: revokedAtMilliseconds)
    }

    public static func opsSession(idHash: String, credential: String, worker: String, createdAtMilliseconds: Int64,
                                  expiresAtMilliseconds: Int64, endedAtMilliseconds: Int64?) -> OpsSession {
        OpsSession(idHash: TokenHash(hex: idHash), credential: credential, worker: WorkerID(unchecked: worker),
                   createdAtMilliseconds: createdAtMilliseconds, expiresAtMilliseconds: expiresAtMilliseconds, endedAtMilliseconds: endedAtMilliseconds)
    }

    public static func securityEvent(id: Int64, atMilliseconds: Int64, kind raw: String, actor: String?, credential: String?,
                                     subject: String, detail: String, count: Int64) throws(DirectoryError) -> SecurityEvent {
        guard let kind = SecurityEvent.Kind(rawValue: raw) else { throw DirectoryError(.storage, "security log row \(id) has an unknown kind") }
        return SecurityEvent(atMilliseconds: atMilliseconds, kind: kind, actor: actor.map(WorkerID.init(unchecked:)),
                             credential: credential, subject: subject, detail: detail, count: Int(count))
    }

    /// The message of a refused redemption, one wording for every backend.
    public static func codeNotIssued() -> DirectoryError {
        DirectoryError(.invalidCode, "the enrolment code was not issued by this server; check it with the administrator")
    }

    public static func codeUsed(worker: WorkerID, at used: Int64) -> DirectoryError {
        DirectoryError(.invalidCode, "the enrolment code for worker \(worker) was used at \(used); ask the administrator for a new one")
    }

    public static func codeExpired(worker: WorkerID, at expires: Int64) -> DirectoryError {
        DirectoryError(.invalidCode, "the enrolment code for worker \(worker) expired at \(expires); ask the administrator for a new one")
    }

    public static func replicaTaken(_ replica: ReplicaID, owner: String) -> DirectoryError {
        DirectoryError(.replicaTaken, "replica \(replica) is enrolled for worker \(owner); a device re-enrols only for its own worker")
    }

    public static func workerExists(_ id: WorkerID) -> DirectoryError {
        DirectoryError(.workerExists, "worker \(id) exists already; change it with an update")
    }

    public static func unknownWorker(_ id: WorkerID) -> DirectoryError { DirectoryError(.unknownWorker, "no worker \(id)") }

    public static func codeWorkerGone(_ id: WorkerID) -> DirectoryError {
        DirectoryError(.unknownWorker, "the code's worker \(id) no longer exists")
    }

    public static func credentialWithoutWorker(_ credential: Credential) -> DirectoryError {
        DirectoryError(.storage, "credential \(credential.id) names worker \(credential.worker), who is missing")
    }

    public static func unknownDevice(_ id: String) -> DirectoryError { DirectoryError(.unknownDevice, "no device or credential \(id)") }

    public static func unknownCode(_ id: String) -> DirectoryError { DirectoryError(.unknownCode, "no enrolment code \(id.prefix(40))") }

    public static func codeRevoked(worker: WorkerID, at revoked: Int64) -> DirectoryError {
        DirectoryError(.invalidCode, "the enrolment code for worker \(worker) was revoked at \(revoked); ask the administrator for a new one")
    }

    /// The refusal of a change that would leave the server without administration.
    public static func lastAdministrator(_ what: String) -> DirectoryError {
        DirectoryError(.lastAdministrator, "\(what) would leave no unrevoked administrator credential; issue another administrator token first (or `doorstep-server admin recover` on the host)")
    }

    /// Unrevoked administrator credentials of administrator workers: what must stay above zero.
    public static let unrevokedAdministratorsSQL = """
        SELECT COUNT(*) FROM credentials c JOIN workers w ON w.id = c.worker
        WHERE c.kind = 'administrator' AND c.revoked_at_ms IS NULL AND w.role = 'administrator'
        """
}
