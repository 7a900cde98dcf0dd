import FieldModel
import NIOCore
import PostgresNIO
import ServerDirectory
import SyncCore

/// The directory in the same database as the records, shared by every server instance: no
/// instance caches it, so a revocation counts on all of them from the next request.
extension PostgresSyncStore: DirectoryStore {
    static let workerColumns = "id, name, role, assignment"
    static let credentialColumns = "id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms"
    static let unrevokedAdministrator = """
        SELECT 1 FROM credentials c JOIN workers w ON w.id = c.worker
        WHERE c.kind = 'administrator' AND c.revoked_at_ms IS NULL AND w.role = 'administrator' LIMIT 1
        """

    public func worker(_ id: WorkerID) async throws -> Worker? {
        try await read("worker", domain: .directory) { c in try await Self.worker(id, c) }
    }

    public func workers() async throws -> [Worker] {
        try await read("workers", domain: .directory) { c in
            // A loop, not `.map(Self.worker)`: Swift 6.3.1's optimizer crashes splitting that closure in release builds.
            var workers: [Worker] = []
            for row in try await c.rows("SELECT \(unescaped: Self.workerColumns) FROM workers ORDER BY id") { workers.append(try Self.worker(row)) }
            return workers
        }
    }

    public func insertWorker(_ worker: Worker, at milliseconds: Int64) async throws {
        try await write("insertWorker", domain: .directory) { c in
            guard try await Self.worker(worker.id, c) == nil else { throw StoredDirectoryColumns.workerExists(worker.id) }
            try await Self.insert(worker, at: milliseconds, c)
        }
    }

    public func updateWorker(_ worker: Worker, at milliseconds: Int64) async throws {
        try await write("updateWorker", domain: .directory) { c in
            let updated = try await c.all("""
                UPDATE workers SET name = \(worker.name), role = \(worker.role.rawValue),
                    assignment = \(try StoredDirectoryColumns.assignmentJSON(worker.assignment)), updated_at_ms = \(milliseconds)
                WHERE id = \(worker.id.rawValue) RETURNING id
                """, as: String.self)
            guard updated.count == 1 else { throw StoredDirectoryColumns.unknownWorker(worker.id) }
        }
    }

    public func hasAdministratorCredential() async throws -> Bool {
        try await read("hasAdministratorCredential", domain: .directory) { c in
            !(try await c.rows(PostgresQuery(unsafeSQL: Self.unrevokedAdministrator)).isEmpty)
        }
    }

    public func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                       at milliseconds: Int64) async throws -> Bool {
        try await write("bootstrapAdministrator", domain: .directory) { c in
            // Instances starting together take turns; the first one's token stands.
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-bootstrap:" + location.schema)))")
            guard try await c.rows(PostgresQuery(unsafeSQL: Self.unrevokedAdministrator)).isEmpty else { return false }
            if try await Self.worker(administrator.id, c) == nil { try await Self.insert(administrator, at: milliseconds, c) }
            try await Self.insert(credential, c)
            try await Self.append([event], c)
            return true
        }
    }

    public func insertEnrolmentCode(_ code: EnrolmentCode) async throws {
        try await write("insertEnrolmentCode", domain: .directory) { c in
            try await c.run("""
                INSERT INTO enrolment_codes (code_hash, worker, issued_by, issued_at_ms, expires_at_ms)
                VALUES (\(code.codeHash.hex), \(code.worker.rawValue), \(code.issuedBy.rawValue), \(code.issuedAtMilliseconds), \(code.expiresAtMilliseconds))
                """)
        }
    }

    /// The code's row is locked first: two instances redeeming one code take turns, and the
    /// second finds it used.
    public func redeemEnrolmentCode(_ codeHash: TokenHash, credential make: @escaping @Sendable (WorkerID) -> Credential,
                                    at milliseconds: Int64) async throws -> (Credential, Worker) {
        try await write("redeemEnrolmentCode", domain: .directory) { c in
            guard let row = try await c.rows("""
                SELECT worker, used_at_ms, expires_at_ms FROM enrolment_codes WHERE code_hash = \(codeHash.hex) FOR UPDATE
                """).first else { throw StoredDirectoryColumns.codeNotIssued() }
            let (workerName, used, expires) = try row.decode((String, Int64?, Int64).self)
            let workerID = WorkerID(unchecked: workerName)
            if let used { throw StoredDirectoryColumns.codeUsed(worker: workerID, at: used) }
            guard milliseconds < expires else { throw StoredDirectoryColumns.codeExpired(worker: workerID, at: expires) }
            guard let worker = try await Self.worker(workerID, c) else { throw StoredDirectoryColumns.codeWorkerGone(workerID) }
            let credential = make(worker.id)
            if let replica = credential.replica {
                if let owner = try await c.all("""
                    SELECT worker FROM credentials WHERE replica = \(replica.int64) AND worker <> \(worker.id.rawValue) LIMIT 1
                    """, as: String.self).first {
                    throw StoredDirectoryColumns.replicaTaken(replica, owner: owner)
                }
                // A re-enrolled device keeps its replica (and its outbox); its old tokens stop working.
                try await c.run("UPDATE credentials SET revoked_at_ms = \(milliseconds) WHERE replica = \(replica.int64) AND revoked_at_ms IS NULL")
            }
            try await Self.insert(credential, c)
            try await c.run("UPDATE enrolment_codes SET used_at_ms = \(milliseconds), used_by = \(credential.id) WHERE code_hash = \(codeHash.hex)")
            return (credential, worker)
        }
    }

    public func insertCredential(_ credential: Credential) async throws {
        try await write("insertCredential", domain: .directory) { c in try await Self.insert(credential, c) }
    }

    public func credential(tokenHash: TokenHash) async throws -> (Credential, Worker)? {
        try await read("credential", domain: .directory) { c in
            guard let row = try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials WHERE token_hash = \(tokenHash.hex)").first else {
                return nil
            }
            let credential = try Self.credential(row)
            guard let worker = try await Self.worker(credential.worker, c) else { throw StoredDirectoryColumns.credentialWithoutWorker(credential) }
            return (credential, worker)
        }
    }

    public func credentials(worker: WorkerID?) async throws -> [Credential] {
        try await read("credentials", domain: .directory) { c in
            let rows = if let worker {
                try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials WHERE worker = \(worker.rawValue) ORDER BY issued_at_ms, id")
            } else {
                try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials ORDER BY issued_at_ms, id")
            }
            return try rows.map(Self.credential)
        }
    }

    public func revokeCredential(id: String, at milliseconds: Int64) async throws -> Credential {
        try await write("revokeCredential", domain: .directory) { c in
            guard let row = try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials WHERE id = \(id) FOR UPDATE").first else {
                throw StoredDirectoryColumns.unknownDevice(id)
            }
            var credential = try Self.credential(row)
            if credential.revokedAtMilliseconds == nil {
                try await c.run("UPDATE credentials SET revoked_at_ms = \(milliseconds) WHERE id = \(id)")
                credential.revokedAtMilliseconds = milliseconds
            }
            return credential
        }
    }

    public func revokeCredentials(worker: WorkerID, at milliseconds: Int64) async throws -> Int {
        try await write("revokeCredentials", domain: .directory) { c in
            try await c.all("""
                UPDATE credentials SET revoked_at_ms = \(milliseconds) WHERE worker = \(worker.rawValue) AND revoked_at_ms IS NULL RETURNING id
                """, as: String.self).count
        }
    }

    public func appendSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write("appendSecurityEvents", domain: .directory) { c in try await Self.append(events, c) }
    }

    public func securityEvents(limit: Int) async throws -> [SecurityEvent] {
        try await read("securityEvents", domain: .directory) { c in
            try await c.rows("""
                SELECT id, at_ms, kind, actor, credential, subject, detail
                FROM (SELECT * FROM security_log ORDER BY id DESC LIMIT \(Int64(max(0, limit)))) latest ORDER BY id
                """).map { row in
                    let (id, at, kind, actor, credential, subject, detail) = try row.decode((Int64, Int64, String, String?, String?, String, String).self)
                    return try StoredDirectoryColumns.securityEvent(id: id, atMilliseconds: at, kind: kind, actor: actor, credential: credential,
                                                                    subject: subject, detail: detail)
                }
        }
    }

    static func append(_ events: [SecurityEvent], _ c: PostgresSession) async throws {
        for e in events {
            try await c.run("""
                INSERT INTO security_log (at_ms, kind, actor, credential, subject, detail)
                VALUES (\(e.atMilliseconds), \(e.kind.rawValue), \(e.actor?.rawValue), \(e.credential), \(e.subject), \(e.detail))
                """)
        }
    }

    static func insert(_ worker: Worker, at milliseconds: Int64, _ c: PostgresSession) async throws {
        try await c.run("""
            INSERT INTO workers (id, name, role, assignment, created_at_ms, updated_at_ms)
            VALUES (\(worker.id.rawValue), \(worker.name), \(worker.role.rawValue), \(try StoredDirectoryColumns.assignmentJSON(worker.assignment)),
                    \(milliseconds), \(milliseconds))
            """)
    }

    static func insert(_ cr: Credential, _ c: PostgresSession) async throws {
        try await c.run("""
            INSERT INTO credentials (id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms)
            VALUES (\(cr.id), \(cr.kind.rawValue), \(cr.worker.rawValue), \(cr.replica?.int64), \(cr.name), \(cr.tokenHash.hex),
                    \(cr.issuedAtMilliseconds), \(cr.revokedAtMilliseconds))
            """)
    }

    static func worker(_ id: WorkerID, _ c: PostgresSession) async throws -> Worker? {
        try await c.rows("SELECT \(unescaped: workerColumns) FROM workers WHERE id = \(id.rawValue)").first.map(worker)
    }

    static func worker(_ row: PostgresRow) throws -> Worker {
        let (id, name, role, assignment) = try row.decode((String, String, String, String).self)
        return try StoredDirectoryColumns.worker(id: id, name: name, role: role, assignmentJSON: assignment)
    }

    static func credential(_ row: PostgresRow) throws -> Credential {
        let (id, kind, worker, replica, name, hash, issued, revoked) = try row.decode((String, String, String, Int64?, String, String, Int64, Int64?).self)
        return try StoredDirectoryColumns.credential(id: id, kind: kind, worker: worker, replica: replica, name: name, tokenHash: hash,
                                                     issuedAtMilliseconds: issued, revokedAtMilliseconds: revoked)
    }
}
