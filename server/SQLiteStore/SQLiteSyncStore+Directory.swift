import FieldModel
import Foundation
import GRDB
import ServerDirectory
import ServerEngine
import SyncCore

/// The directory in the same SQLite file as the records: one data directory holds the server.
extension SQLiteSyncStore: DirectoryStore {
    /// Runs a directory operation, turning anything but a `DirectoryError` into a `storage` one.
    func directory<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DirectoryError {
            throw error
        } catch {
            throw DirectoryError(.storage, "\(operation) failed: \(error)")
        }
    }

    public func worker(_ id: WorkerID) async throws -> Worker? {
        try await directory("worker") {
            try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE id = ?", arguments: [id.rawValue]).map(Self.worker) }
        }
    }

    public func workers() async throws -> [Worker] {
        try await directory("workers") {
            try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM workers ORDER BY id").map(Self.worker) }
        }
    }

    public func insertWorker(_ worker: Worker, at milliseconds: Int64) async throws {
        try await directory("insertWorker") {
            try await pool.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM workers WHERE id = ?", arguments: [worker.id.rawValue]) == nil else {
                    throw StoredDirectoryColumns.workerExists(worker.id)
                }
                try Self.insertWorker(worker, at: milliseconds, db)
            }
        }
    }

    public func updateWorker(_ worker: Worker, at milliseconds: Int64) async throws {
        try await directory("updateWorker") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE workers SET name = ?, role = ?, assignment = ?, updated_at_ms = ? WHERE id = ?",
                               arguments: [worker.name, worker.role.rawValue, try Self.assignmentJSON(worker.assignment), milliseconds, worker.id.rawValue])
                guard db.changesCount == 1 else { throw StoredDirectoryColumns.unknownWorker(worker.id) }
                try Self.requireAdministrator("making \(worker.id) a \(worker.role.rawValue)", db)
            }
        }
    }

    public func hasAdministratorCredential() async throws -> Bool {
        try await directory("hasAdministratorCredential") {
            try await pool.read { db in try Self.administratorCount(db) > 0 }
        }
    }

    public func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                       at milliseconds: Int64) async throws -> Bool {
        try await directory("bootstrapAdministrator") {
            try await pool.write { db in
                // The pool's single writer serializes this with every other write to the file.
                guard try Self.administratorCount(db) == 0 else { return false }
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM workers WHERE id = ?", arguments: [administrator.id.rawValue]) == nil {
                    try Self.insertWorker(administrator, at: milliseconds, db)
                }
                try Self.insert(credential, db)
                try append([event], db)
                return true
            }
        }
    }

    public func recoverAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent, at milliseconds: Int64) async throws {
        try await directory("recoverAdministrator") {
            try await pool.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM workers WHERE id = ?", arguments: [administrator.id.rawValue]) == nil {
                    try Self.insertWorker(administrator, at: milliseconds, db)
                } else {
                    try db.execute(sql: "UPDATE workers SET role = ?, assignment = ?, updated_at_ms = ? WHERE id = ?",
                                   arguments: [Role.administrator.rawValue, try Self.assignmentJSON(Assignment()), milliseconds, administrator.id.rawValue])
                }
                try Self.insert(credential, db)
                try append([event], db)
            }
        }
    }

    public func insertEnrolmentCode(_ code: EnrolmentCode) async throws {
        try await directory("insertEnrolmentCode") {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO enrolment_codes (id, code_hash, worker, issued_by, issued_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [code.id, code.codeHash.hex, code.worker.rawValue, code.issuedBy.rawValue, code.issuedAtMilliseconds, code.expiresAtMilliseconds])
            }
        }
    }

    public func redeemEnrolmentCode(_ codeHash: TokenHash, credential make: @escaping @Sendable (WorkerID) -> Credential,
                                    at milliseconds: Int64) async throws -> (Credential, Worker) {
        try await directory("redeemEnrolmentCode") {
            try await pool.write { db in
                guard let code = try Row.fetchOne(db, sql: "SELECT * FROM enrolment_codes WHERE code_hash = ?", arguments: [codeHash.hex]).map(Self.code) else {
                    throw StoredDirectoryColumns.codeNotIssued()
                }
                if let used = code.usedAtMilliseconds { throw StoredDirectoryColumns.codeUsed(worker: code.worker, at: used) }
                if let revoked = code.revokedAtMilliseconds { throw StoredDirectoryColumns.codeRevoked(worker: code.worker, at: revoked) }
                guard milliseconds < code.expiresAtMilliseconds else {
                    throw StoredDirectoryColumns.codeExpired(worker: code.worker, at: code.expiresAtMilliseconds)
                }
                guard let worker = try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE id = ?", arguments: [code.worker.rawValue]).map(Self.worker) else {
                    throw StoredDirectoryColumns.codeWorkerGone(code.worker)
                }
                let credential = make(worker.id)
                if let replica = credential.replica,
                   let owner = try String.fetchOne(db, sql: "SELECT worker FROM credentials WHERE replica = ? AND worker <> ? LIMIT 1",
                                                   arguments: [replica.int64, worker.id.rawValue]) {
                    throw StoredDirectoryColumns.replicaTaken(replica, owner: owner)
                }
                if let replica = credential.replica {
                    // A re-enrolled device keeps its replica (and its outbox); its old tokens stop working.
                    try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ?, revocation = ? WHERE replica = ? AND revoked_at_ms IS NULL",
                                   arguments: [milliseconds, Credential.Revocation.reenrolled.rawValue, replica.int64])
                }
                try Self.insert(credential, db)
                try db.execute(sql: "UPDATE enrolment_codes SET used_at_ms = ?, used_by = ? WHERE code_hash = ?",
                               arguments: [milliseconds, credential.id, codeHash.hex])
                return (credential, worker)
            }
        }
    }

    public func enrolmentCodes(worker: WorkerID?) async throws -> [EnrolmentCode] {
        try await directory("enrolmentCodes") {
            try await pool.read { db in
                let rows = if let worker {
                    try Row.fetchAll(db, sql: "SELECT * FROM enrolment_codes WHERE worker = ? ORDER BY issued_at_ms, id", arguments: [worker.rawValue])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM enrolment_codes ORDER BY issued_at_ms, id")
                }
                return rows.map(Self.code)
            }
        }
    }

    public func revokeEnrolmentCode(id: String, at milliseconds: Int64) async throws -> EnrolmentCode {
        try await directory("revokeEnrolmentCode") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE enrolment_codes SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL AND used_at_ms IS NULL",
                               arguments: [milliseconds, id])
                guard let code = try Row.fetchOne(db, sql: "SELECT * FROM enrolment_codes WHERE id = ?", arguments: [id]).map(Self.code) else {
                    throw StoredDirectoryColumns.unknownCode(id)
                }
                return code
            }
        }
    }

    public func insertCredential(_ credential: Credential) async throws {
        try await directory("insertCredential") {
            try await pool.write { db in try Self.insert(credential, db) }
        }
    }

    public func credential(tokenHash: TokenHash) async throws -> (Credential, Worker)? {
        try await directory("credential") {
            try await pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credentials WHERE token_hash = ?", arguments: [tokenHash.hex]) else { return nil }
                let credential = try Self.credential(row)
                return (credential, try Self.worker(of: credential, db))
            }
        }
    }

    public func credentials(worker: WorkerID?) async throws -> [Credential] {
        try await directory("credentials") {
            try await pool.read { db in
                let rows = if let worker {
                    try Row.fetchAll(db, sql: "SELECT * FROM credentials WHERE worker = ? ORDER BY issued_at_ms, id", arguments: [worker.rawValue])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM credentials ORDER BY issued_at_ms, id")
                }
                return try rows.map(Self.credential)
            }
        }
    }

    public func revokeCredential(id: String, reason: Credential.Revocation, at milliseconds: Int64) async throws -> Credential {
        try await directory("revokeCredential") {
            try await pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credentials WHERE id = ?", arguments: [id]) else {
                    throw StoredDirectoryColumns.unknownDevice(id)
                }
                var credential = try Self.credential(row)
                if credential.revokedAtMilliseconds == nil {
                    try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ?, revocation = ? WHERE id = ?", arguments: [milliseconds, reason.rawValue, id])
                    try Self.requireAdministrator("revoking \(id)", db)
                    credential.revokedAtMilliseconds = milliseconds
                    credential.revocation = reason
                }
                return credential
            }
        }
    }

    public func revokeCredentials(worker: WorkerID, reason: Credential.Revocation, at milliseconds: Int64) async throws -> WorkerRevocation {
        try await directory("revokeCredentials") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ?, revocation = ? WHERE worker = ? AND revoked_at_ms IS NULL",
                               arguments: [milliseconds, reason.rawValue, worker.rawValue])
                let credentials = db.changesCount
                try Self.requireAdministrator("revoking every credential of \(worker)", db)
                try db.execute(sql: "UPDATE enrolment_codes SET revoked_at_ms = ? WHERE worker = ? AND revoked_at_ms IS NULL AND used_at_ms IS NULL",
                               arguments: [milliseconds, worker.rawValue])
                return WorkerRevocation(credentials: credentials, codes: db.changesCount)
            }
        }
    }

    public func insertOpsSession(_ session: OpsSession) async throws {
        try await directory("insertOpsSession") {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO ops_sessions (id_hash, credential, worker, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [session.idHash.hex, session.credential, session.worker.rawValue, session.createdAtMilliseconds, session.expiresAtMilliseconds])
            }
        }
    }

    public func opsSession(idHash: TokenHash) async throws -> (OpsSession, Credential, Worker)? {
        try await directory("opsSession") {
            try await pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM ops_sessions WHERE id_hash = ?", arguments: [idHash.hex]) else { return nil }
                let session = StoredDirectoryColumns.opsSession(idHash: row["id_hash"], credential: row["credential"], worker: row["worker"],
                                                                createdAtMilliseconds: row["created_at_ms"], expiresAtMilliseconds: row["expires_at_ms"],
                                                                endedAtMilliseconds: row["ended_at_ms"])
                guard let c = try Row.fetchOne(db, sql: "SELECT * FROM credentials WHERE id = ?", arguments: [session.credential]) else { return nil }
                let credential = try Self.credential(c)
                return (session, credential, try Self.worker(of: credential, db))
            }
        }
    }

    public func endOpsSession(idHash: TokenHash, at milliseconds: Int64) async throws {
        try await directory("endOpsSession") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE ops_sessions SET ended_at_ms = ? WHERE id_hash = ? AND ended_at_ms IS NULL", arguments: [milliseconds, idHash.hex])
            }
        }
    }

    public func appendSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await directory("appendSecurityEvents") {
            try await pool.write { db in try append(events, db) }
        }
    }

    public func securityEvents(limit: Int) async throws -> [SecurityEvent] {
        try await directory("securityEvents") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM security_log ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [max(0, limit)])
                    .map(Self.securityEvent)
            }
        }
    }

    /// Appends events to the security log, each chained to the one before.
    func append(_ events: [SecurityEvent], _ db: Database) throws {
        var chain = try LogHead(.security, db)
        for e in events {
            let link = chains.key(.security).link(after: chain.head, entry: e.chainBytes)
            try db.cachedStatement(sql: "INSERT INTO security_log (at_ms, kind, actor, credential, subject, detail, count, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [e.atMilliseconds, e.kind.rawValue, e.actor?.rawValue, e.credential, e.subject, e.detail, e.count, Data(link)])
            chain.advance(to: link, id: db.lastInsertedRowID)
        }
        try chain.save(db)
    }

    static func administratorCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: StoredDirectoryColumns.unrevokedAdministratorsSQL) ?? 0
    }

    /// Fails the transaction when it left no unrevoked administrator credential.
    static func requireAdministrator(_ what: String, _ db: Database) throws {
        guard try administratorCount(db) > 0 else { throw StoredDirectoryColumns.lastAdministrator(what) }
    }

    static func insertWorker(_ worker: Worker, at milliseconds: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO workers (id, name, role, assignment, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [worker.id.rawValue, worker.name, worker.role.rawValue, try assignmentJSON(worker.assignment), milliseconds, milliseconds])
    }

    static func insert(_ c: Credential, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO credentials (id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms, revocation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [c.id, c.kind.rawValue, c.worker.rawValue, c.replica?.int64, c.name, c.tokenHash.hex, c.issuedAtMilliseconds,
                             c.revokedAtMilliseconds, c.revocation?.rawValue])
    }

    static func worker(_ row: Row) throws -> Worker {
        try StoredDirectoryColumns.worker(id: row["id"], name: row["name"], role: row["role"], assignmentJSON: row["assignment"])
    }

    static func worker(of credential: Credential, _ db: Database) throws -> Worker {
        guard let worker = try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE id = ?", arguments: [credential.worker.rawValue]).map(worker) else {
            throw StoredDirectoryColumns.credentialWithoutWorker(credential)
        }
        return worker
    }

    static func credential(_ row: Row) throws -> Credential {
        try StoredDirectoryColumns.credential(id: row["id"], kind: row["kind"], worker: row["worker"], replica: row["replica"], name: row["name"],
                                              tokenHash: row["token_hash"], issuedAtMilliseconds: row["issued_at_ms"],
                                              revokedAtMilliseconds: row["revoked_at_ms"], revocation: row["revocation"])
    }

    static func code(_ row: Row) -> EnrolmentCode {
        StoredDirectoryColumns.enrolmentCode(id: row["id"], codeHash: row["code_hash"], worker: row["worker"], issuedBy: row["issued_by"],
                                             issuedAtMilliseconds: row["issued_at_ms"], expiresAtMilliseconds: row["expires_at_ms"],
                                             usedAtMilliseconds: row["used_at_ms"], usedBy: row["used_by"], revokedAtMilliseconds: row["revoked_at_ms"])
    }

    static func securityEvent(_ row: Row) throws -> SecurityEvent {
        try StoredDirectoryColumns.securityEvent(id: row["id"], atMilliseconds: row["at_ms"], kind: row["kind"], actor: row["actor"],
                                                 credential: row["credential"], subject: row["subject"], detail: row["detail"], count: row["count"])
    }

    static func assignmentJSON(_ assignment: Assignment) throws -> String { try StoredDirectoryColumns.assignmentJSON(assignment) }
}
