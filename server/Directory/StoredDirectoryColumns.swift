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
                                  issuedAtMilliseconds: Int64, revokedAtMilliseconds: Int64?) throws(DirectoryError) -> Credential {
        guard let kind = Credential.Kind(rawValue: raw) else { throw DirectoryError(.storage, "credential \(id) has an unknown kind \"\(raw.prefix(30))\"") }
        return Credential(id: id, kind: kind, worker: WorkerID(unchecked: worker), replica: replica.map { ReplicaID(UInt64(bitPattern: $0)) },
                          name: name, tokenHash: TokenHash(hex: tokenHash), issuedAtMilliseconds: issuedAtMilliseconds,
                          revokedAtMilliseconds: revokedAtMilliseconds)
    }

    public static func securityEvent(id: Int64, atMilliseconds: Int64, kind raw: String, actor: String?, credential: String?,
                                     subject: String, detail: String) throws(DirectoryError) -> SecurityEvent {
        guard let kind = SecurityEvent.Kind(rawValue: raw) else { throw DirectoryError(.storage, "security log row \(id) has an unknown kind") }
        return SecurityEvent(atMilliseconds: atMilliseconds, kind: kind, actor: actor.map(WorkerID.init(unchecked:)),
                             credential: credential, subject: subject, detail: detail)
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
}
