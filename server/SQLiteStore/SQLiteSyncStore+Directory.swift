import FieldModel
import Foundation
import GRDB
import ServerDirectory
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
                try db.execute(sql: "INSERT INTO workers (id, name, role, assignment, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [worker.id.rawValue, worker.name, worker.role.rawValue, try Self.assignmentJSON(worker.assignment),
                                           milliseconds, milliseconds])
            }
        }
    }

    public func updateWorker(_ worker: Worker, at milliseconds: Int64) async throws {
        try await directory("updateWorker") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE workers SET name = ?, role = ?, assignment = ?, updated_at_ms = ? WHERE id = ?",
                               arguments: [worker.name, worker.role.rawValue, try Self.assignmentJSON(worker.assignment), milliseconds, worker.id.rawValue])
                guard db.changesCount == 1 else { throw StoredDirectoryColumns.unknownWorker(worker.id) }
            }
        }
    }

    public func hasAdministratorCredential() async throws -> Bool {
        try await directory("hasAdministratorCredential") {
            try await pool.read { db in
                try Bool.fetchOne(db, sql: Self.unrevokedAdministratorSQL) ?? false
            }
        }
    }

    public func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                       at milliseconds: Int64) async throws -> Bool {
        try await directory("bootstrapAdministrator") {
            try await pool.write { db in
                // The pool's single writer serializes this with every other write to the file.
                guard try Bool.fetchOne(db, sql: Self.unrevokedAdministratorSQL) == nil else { return false }
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM workers WHERE id = ?", arguments: [administrator.id.rawValue]) == nil {
                    try db.execute(sql: "INSERT INTO workers (id, name, role, assignment, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [administrator.id.rawValue, administrator.name, administrator.role.rawValue,
                                               try Self.assignmentJSON(administrator.assignment), milliseconds, milliseconds])
                }
                try Self.insert(credential, db)
                try Self.append([event], db)
                return true
            }
        }
    }

    public func insertEnrolmentCode(_ code: EnrolmentCode) async throws {
        try await directory("insertEnrolmentCode") {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO enrolment_codes (code_hash, worker, issued_by, issued_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                               arguments: [code.codeHash.hex, code.worker.rawValue, code.issuedBy.rawValue, code.issuedAtMilliseconds, code.expiresAtMilliseconds])
            }
        }
    }

    public func redeemEnrolmentCode(_ codeHash: TokenHash, credential make: @escaping @Sendable (WorkerID) -> Credential,
                                    at milliseconds: Int64) async throws -> (Credential, Worker) {
        try await directory("redeemEnrolmentCode") {
            try await pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM enrolment_codes WHERE code_hash = ?", arguments: [codeHash.hex]) else {
                    throw StoredDirectoryColumns.codeNotIssued()
                }
                let workerID = WorkerID(unchecked: row["worker"])
                if let used: Int64 = row["used_at_ms"] {
                    throw StoredDirectoryColumns.codeUsed(worker: workerID, at: used)
                }
                let expires: Int64 = row["expires_at_ms"]
                guard milliseconds < expires else {
                    throw StoredDirectoryColumns.codeExpired(worker: workerID, at: expires)
                }
                guard let worker = try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE id = ?", arguments: [workerID.rawValue]).map(Self.worker) else {
                    throw StoredDirectoryColumns.codeWorkerGone(workerID)
                }
                let credential = make(worker.id)
                if let replica = credential.replica,
                   let owner = try String.fetchOne(db, sql: "SELECT worker FROM credentials WHERE replica = ? AND worker <> ? LIMIT 1",
                                                   arguments: [replica.int64, worker.id.rawValue]) {
                    throw StoredDirectoryColumns.replicaTaken(replica, owner: owner)
                }
                if let replica = credential.replica {
                    // A re-enrolled device keeps its replica (and its outbox); its old tokens stop working.
                    try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ? WHERE replica = ? AND revoked_at_ms IS NULL",
                                   arguments: [milliseconds, replica.int64])
                }
                try Self.insert(credential, db)
                try db.execute(sql: "UPDATE enrolment_codes SET used_at_ms = ?, used_by = ? WHERE code_hash = ?",
                               arguments: [milliseconds, credential.id, codeHash.hex])
                return (credential, worker)
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
                guard let worker = try Row.fetchOne(db, sql: "SELECT * FROM workers WHERE id = ?", arguments: [credential.worker.rawValue]).map(Self.worker) else {
                    throw StoredDirectoryColumns.credentialWithoutWorker(credential)
                }
                return (credential, worker)
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

    public func revokeCredential(id: String, at milliseconds: Int64) async throws -> Credential {
        try await directory("revokeCredential") {
            try await pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credentials WHERE id = ?", arguments: [id]) else {
                    throw StoredDirectoryColumns.unknownDevice(id)
                }
                var credential = try Self.credential(row)
                if credential.revokedAtMilliseconds == nil {
                    try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ? WHERE id = ?", arguments: [milliseconds, id])
                    credential.revokedAtMilliseconds = milliseconds
                }
                return credential
            }
        }
    }

    public func revokeCredentials(worker: WorkerID, at milliseconds: Int64) async throws -> Int {
        try await directory("revokeCredentials") {
            try await pool.write { db in
                try db.execute(sql: "UPDATE credentials SET revoked_at_ms = ? WHERE worker = ? AND revoked_at_ms IS NULL",
                               arguments: [milliseconds, worker.rawValue])
                return db.changesCount
            }
        }
    }

    public func appendSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await directory("appendSecurityEvents") {
            try await pool.write { db in try Self.append(events, db) }
        }
    }

    public func securityEvents(limit: Int) async throws -> [SecurityEvent] {
        try await directory("securityEvents") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM security_log ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [max(0, limit)])
                    .map { row in
                        try StoredDirectoryColumns.securityEvent(id: row["id"], atMilliseconds: row["at_ms"], kind: row["kind"], actor: row["actor"],
                                                                 credential: row["credential"], subject: row["subject"], detail: row["detail"])
                    }
            }
        }
    }

    static let unrevokedAdministratorSQL = """
        SELECT 1 FROM credentials c JOIN workers w ON w.id = c.worker
        WHERE c.kind = 'administrator' AND c.revoked_at_ms IS NULL AND w.role = 'administrator' LIMIT 1
        """

    static func append(_ events: [SecurityEvent], _ db: Database) throws {
        for e in events {
            try db.cachedStatement(sql: "INSERT INTO security_log (at_ms, kind, actor, credential, subject, detail) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [e.atMilliseconds, e.kind.rawValue, e.actor?.rawValue, e.credential, e.subject, e.detail])
        }
    }

    static func insert(_ c: Credential, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO credentials (id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [c.id, c.kind.rawValue, c.worker.rawValue, c.replica?.int64, c.name, c.tokenHash.hex, c.issuedAtMilliseconds, c.revokedAtMilliseconds])
    }

    static func worker(_ row: Row) throws -> Worker {
        try StoredDirectoryColumns.worker(id: row["id"], name: row["name"], role: row["role"], assignmentJSON: row["assignment"])
    }

    static func credential(_ row: Row) throws -> Credential {
        try StoredDirectoryColumns.credential(id: row["id"], kind: row["kind"], worker: row["worker"], replica: row["replica"], name: row["name"],
                                              tokenHash: row["token_hash"], issuedAtMilliseconds: row["issued_at_ms"],
                                              revokedAtMilliseconds: row["revoked_at_ms"])
    }

    static func assignmentJSON(_ assignment: Assignment) throws -> String { try StoredDirectoryColumns.assignmentJSON(assignment) }
}
