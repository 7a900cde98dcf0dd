import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import ServerDirectory
import SyncCore

/// The directory in the same database as the records, shared by every server instance: no
/// instance caches it, so a revocation counts on all of them from the next request.
extension PostgresSyncStore: DirectoryStore {
    static let workerColumns = "id, name, role, assignment"
    static let credentialColumns = "id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms, revocation"
    static let codeColumns = "id, code_hash, worker, issued_by, issued_at_ms, expires_at_ms, used_at_ms, used_by, revoked_at_ms"

    public func worker(_ id: WorkerID) async throws -> Worker? {
        try await readAlone("worker", domain: .directory) { c in try await Self.worker(id, c) }
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
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-administrators:" + location.schema)))")
            let updated = try await c.all("""
                UPDATE workers SET name = \(worker.name), role = \(worker.role.rawValue),
                    assignment = \(try StoredDirectoryColumns.assignmentJSON(worker.assignment)), updated_at_ms = \(milliseconds)
                WHERE id = \(worker.id.rawValue) RETURNING id
                """, as: String.self)
            guard updated.count == 1 else { throw StoredDirectoryColumns.unknownWorker(worker.id) }
            try await Self.requireAdministrator("making \(worker.id) a \(worker.role.rawValue)", c)
        }
    }

    public func hasAdministratorCredential() async throws -> Bool {
        try await read("hasAdministratorCredential", domain: .directory) { c in
            try await Self.administratorCount(c) > 0
        }
    }

    public func bootstrapAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent,
                                       at milliseconds: Int64) async throws -> Bool {
        try await write("bootstrapAdministrator", domain: .directory) { c in
            // Instances starting together take turns; the first one's token stands.
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-bootstrap:" + location.schema)))")
            guard try await Self.administratorCount(c) == 0 else { return false }
            if try await Self.worker(administrator.id, c) == nil { try await Self.insert(administrator, at: milliseconds, c) }
            try await Self.insert(credential, c)
            try await append([event], c)
            return true
        }
    }

    public func recoverAdministrator(_ administrator: Worker, credential: Credential, event: SecurityEvent, at milliseconds: Int64) async throws {
        try await write("recoverAdministrator", domain: .directory) { c in
            if try await Self.worker(administrator.id, c) == nil {
                try await Self.insert(administrator, at: milliseconds, c)
            } else {
                try await c.run("""
                    UPDATE workers SET role = \(Role.administrator.rawValue), assignment = \(try StoredDirectoryColumns.assignmentJSON(Assignment())),
                        updated_at_ms = \(milliseconds) WHERE id = \(administrator.id.rawValue)
                    """)
            }
            try await Self.insert(credential, c)
            try await append([event], c)
        }
    }

    public func insertEnrolmentCode(_ code: EnrolmentCode) async throws {
        try await write("insertEnrolmentCode", domain: .directory) { c in
            try await c.run("""
                INSERT INTO enrolment_codes (id, code_hash, worker, issued_by, issued_at_ms, expires_at_ms)
                VALUES (\(code.id), \(code.codeHash.hex), \(code.worker.rawValue), \(code.issuedBy.rawValue), \(code.issuedAtMilliseconds),
                        \(code.expiresAtMilliseconds))
                """)
        }
    }

    /// The code's row is locked first: two instances redeeming one code take turns, and the
    /// second finds it used.
    public func redeemEnrolmentCode(_ codeHash: TokenHash, credential make: @escaping @Sendable (WorkerID) -> Credential,
                                    at milliseconds: Int64) async throws -> (Credential, Worker) {
        try await write("redeemEnrolmentCode", domain: .directory) { c in
            guard let code = try await c.rows("""
                SELECT \(unescaped: Self.codeColumns) FROM enrolment_codes WHERE code_hash = \(codeHash.hex) FOR UPDATE
                """).first.map(Self.code) else { throw StoredDirectoryColumns.codeNotIssued() }
            let workerID = code.worker
            if let used = code.usedAtMilliseconds { throw StoredDirectoryColumns.codeUsed(worker: workerID, at: used) }
            if let revoked = code.revokedAtMilliseconds { throw StoredDirectoryColumns.codeRevoked(worker: workerID, at: revoked) }
            guard milliseconds < code.expiresAtMilliseconds else { throw StoredDirectoryColumns.codeExpired(worker: workerID, at: code.expiresAtMilliseconds) }
            guard let worker = try await Self.worker(workerID, c) else { throw StoredDirectoryColumns.codeWorkerGone(workerID) }
            let credential = make(worker.id)
            if let replica = credential.replica {
                if let owner = try await c.all("""
                    SELECT worker FROM credentials WHERE replica = \(replica.int64) AND worker <> \(worker.id.rawValue) LIMIT 1
                    """, as: String.self).first {
                    throw StoredDirectoryColumns.replicaTaken(replica, owner: owner)
                }
                // A re-enrolled device keeps its replica (and its outbox); its old tokens stop working.
                try await c.run("""
                    UPDATE credentials SET revoked_at_ms = \(milliseconds), revocation = \(Credential.Revocation.reenrolled.rawValue)
                    WHERE replica = \(replica.int64) AND revoked_at_ms IS NULL
                    """)
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
        // Every request asks this: one statement, its worker joined, outside a transaction.
        try await readAlone("credential", domain: .directory) { c in
            guard let row = try await c.rows("""
                SELECT c.id, c.kind, c.worker, c.replica, c.name, c.token_hash, c.issued_at_ms, c.revoked_at_ms, c.revocation,
                       w.id, w.name, w.role, w.assignment
                FROM credentials c LEFT JOIN workers w ON w.id = c.worker WHERE c.token_hash = \(tokenHash.hex)
                """).first else {
                return nil
            }
            let (id, kind, workerID, replica, name, hash, issued, revoked, revocation, wid, wname, role, assignment) =
                try row.decode((String, String, String, Int64?, String, String, Int64, Int64?, String?, String?, String?, String?, String?).self)
            let credential = try StoredDirectoryColumns.credential(id: id, kind: kind, worker: workerID, replica: replica, name: name, tokenHash: hash,
                                                                   issuedAtMilliseconds: issued, revokedAtMilliseconds: revoked, revocation: revocation)
            guard let wid, let wname, let role, let assignment else { throw StoredDirectoryColumns.credentialWithoutWorker(credential) }
            return (credential, try StoredDirectoryColumns.worker(id: wid, name: wname, role: role, assignmentJSON: assignment))
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

    public func enrolmentCodes(worker: WorkerID?) async throws -> [EnrolmentCode] {
        try await read("enrolmentCodes", domain: .directory) { c in
            let rows = if let worker {
                try await c.rows("SELECT \(unescaped: Self.codeColumns) FROM enrolment_codes WHERE worker = \(worker.rawValue) ORDER BY issued_at_ms, id")
            } else {
                try await c.rows("SELECT \(unescaped: Self.codeColumns) FROM enrolment_codes ORDER BY issued_at_ms, id")
            }
            var codes: [EnrolmentCode] = []
            for row in rows { codes.append(try Self.code(row)) }
            return codes
        }
    }

    public func revokeEnrolmentCode(id: String, at milliseconds: Int64) async throws -> EnrolmentCode {
        try await write("revokeEnrolmentCode", domain: .directory) { c in
            try await c.run("UPDATE enrolment_codes SET revoked_at_ms = \(milliseconds) WHERE id = \(id) AND revoked_at_ms IS NULL AND used_at_ms IS NULL")
            guard let row = try await c.rows("SELECT \(unescaped: Self.codeColumns) FROM enrolment_codes WHERE id = \(id)").first else {
                throw StoredDirectoryColumns.unknownCode(id)
            }
            return try Self.code(row)
        }
    }

    public func revokeCredential(id: String, reason: Credential.Revocation, at milliseconds: Int64) async throws -> Credential {
        try await write("revokeCredential", domain: .directory) { c in
            // Revocations of administrators take turns, so two racing for the last two tokens cannot both pass the check.
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-administrators:" + location.schema)))")
            guard let row = try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials WHERE id = \(id) FOR UPDATE").first else {
                throw StoredDirectoryColumns.unknownDevice(id)
            }
            var credential = try Self.credential(row)
            if credential.revokedAtMilliseconds == nil {
                try await c.run("UPDATE credentials SET revoked_at_ms = \(milliseconds), revocation = \(reason.rawValue) WHERE id = \(id)")
                try await Self.requireAdministrator("revoking \(id)", c)
                credential.revokedAtMilliseconds = milliseconds
                credential.revocation = reason
            }
            return credential
        }
    }

    public func revokeCredentials(worker: WorkerID, reason: Credential.Revocation, at milliseconds: Int64) async throws -> WorkerRevocation {
        try await write("revokeCredentials", domain: .directory) { c in
            try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-administrators:" + location.schema)))")
            let credentials = try await c.all("""
                UPDATE credentials SET revoked_at_ms = \(milliseconds), revocation = \(reason.rawValue)
                WHERE worker = \(worker.rawValue) AND revoked_at_ms IS NULL RETURNING id
                """, as: String.self).count
            try await Self.requireAdministrator("revoking every credential of \(worker)", c)
            let codes = try await c.all("""
                UPDATE enrolment_codes SET revoked_at_ms = \(milliseconds)
                WHERE worker = \(worker.rawValue) AND revoked_at_ms IS NULL AND used_at_ms IS NULL RETURNING id
                """, as: String.self).count
            return WorkerRevocation(credentials: credentials, codes: codes)
        }
    }

    public func insertOpsSession(_ session: OpsSession) async throws {
        try await write("insertOpsSession", domain: .directory) { c in
            try await c.run("""
                INSERT INTO ops_sessions (id_hash, credential, worker, created_at_ms, expires_at_ms)
                VALUES (\(session.idHash.hex), \(session.credential), \(session.worker.rawValue), \(session.createdAtMilliseconds), \(session.expiresAtMilliseconds))
                """)
        }
    }

    public func opsSession(idHash: TokenHash) async throws -> (OpsSession, Credential, Worker)? {
        try await read("opsSession", domain: .directory) { c in
            guard let row = try await c.rows("""
                SELECT id_hash, credential, worker, created_at_ms, expires_at_ms, ended_at_ms FROM ops_sessions WHERE id_hash = \(idHash.hex)
                """).first else { return nil }
            let (hash, credentialID, worker, created, expires, ended) = try row.decode((String, String, String, Int64, Int64, Int64?).self)
            let session = StoredDirectoryColumns.opsSession(idHash: hash, credential: credentialID, worker: worker, createdAtMilliseconds: created,
                                                            expiresAtMilliseconds: expires, endedAtMilliseconds: ended)
            guard let c1 = try await c.rows("SELECT \(unescaped: Self.credentialColumns) FROM credentials WHERE id = \(credentialID)").first else { return nil }
            let credential = try Self.credential(c1)
            guard let owner = try await Self.worker(credential.worker, c) else { throw StoredDirectoryColumns.credentialWithoutWorker(credential) }
            return (session, credential, owner)
        }
    }

    public func endOpsSession(idHash: TokenHash, at milliseconds: Int64) async throws {
        try await write("endOpsSession", domain: .directory) { c in
            try await c.run("UPDATE ops_sessions SET ended_at_ms = \(milliseconds) WHERE id_hash = \(idHash.hex) AND ended_at_ms IS NULL")
        }
    }

    public func appendSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write("appendSecurityEvents", domain: .directory) { c in try await append(events, c) }
    }

    public func securityEvents(limit: Int) async throws -> [SecurityEvent] {
        try await read("securityEvents", domain: .directory) { c in
            try await c.rows("""
                SELECT id, at_ms, kind, actor, credential, subject, detail, count
                FROM (SELECT * FROM security_log ORDER BY id DESC LIMIT \(Int64(max(0, limit)))) latest ORDER BY id
                """).map { row in
                    let (id, at, kind, actor, credential, subject, detail, count) = try row.decode((Int64, Int64, String, String?, String?, String, String, Int64).self)
                    return try StoredDirectoryColumns.securityEvent(id: id, atMilliseconds: at, kind: kind, actor: actor, credential: credential,
                                                                    subject: subject, detail: detail, count: count)
                }
        }
    }

    /// Appends events to the chained security log (under the chain's row lock).
    func append(_ events: [SecurityEvent], _ c: PostgresSession) async throws {
        let (ids, links) = try await ChainAppend.links(.security, key: chains.key(.security), entries: events.map(\.chainBytes), c)
        for (e, (id, link)) in zip(events, zip(ids, links)) {
            try await c.run("""
                INSERT INTO security_log (id, at_ms, kind, actor, credential, subject, detail, count, chain)
                VALUES (\(id), \(e.atMilliseconds), \(e.kind.rawValue), \(e.actor?.rawValue), \(e.credential), \(e.subject), \(e.detail),
                        \(Int64(e.count)), \(ByteBuffer(bytes: link)))
                """)
        }
    }

    static func administratorCount(_ c: PostgresSession) async throws -> Int64 {
        try await c.one(PostgresQuery(unsafeSQL: StoredDirectoryColumns.unrevokedAdministratorsSQL), as: Int64.self)
    }

    /// Fails the transaction when it left no unrevoked administrator credential.
    static func requireAdministrator(_ what: String, _ c: PostgresSession) async throws {
        guard try await administratorCount(c) > 0 else { throw StoredDirectoryColumns.lastAdministrator(what) }
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
            INSERT INTO credentials (id, kind, worker, replica, name, token_hash, issued_at_ms, revoked_at_ms, revocation)
            VALUES (\(cr.id), \(cr.kind.rawValue), \(cr.worker.rawValue), \(cr.replica?.int64), \(cr.name), \(cr.tokenHash.hex),
                    \(cr.issuedAtMilliseconds), \(cr.revokedAtMilliseconds), \(cr.revocation?.rawValue))
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
        let (id, kind, worker, replica, name, hash, issued, revoked, revocation) =
            try row.decode((String, String, String, Int64?, String, String, Int64, Int64?, String?).self)
        return try StoredDirectoryColumns.credential(id: id, kind: kind, worker: worker, replica: replica, name: name, tokenHash: hash,
                                                     issuedAtMilliseconds: issued, revokedAtMilliseconds: revoked, revocation: revocation)
    }

    static func code(_ row: PostgresRow) throws -> EnrolmentCode {
        let (id, hash, worker, issuedBy, issued, expires, used, usedBy, revoked) =
            try row.decode((String, String, String, String, Int64, Int64, Int64?, String?, Int64?).self)
        return StoredDirectoryColumns.enrolmentCode(id: id, codeHash: hash, worker: worker, issuedBy: issuedBy, issuedAtMilliseconds: issued,
                                                    expiresAtMilliseconds: expires, usedAtMilliseconds: used, usedBy: usedBy, revokedAtMilliseconds: revoked)
    }
}
