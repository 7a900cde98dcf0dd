import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// The audit log and the conflict log: appended by pushes, read by ops and tests.
extension PostgresSyncStore {
    /// Appends audit entries (chained, under the chain's row lock: entries chain in id order
    /// across instances) and conflict entries, and counts both in `log_counts`.
    func appendLogs(audit a: [AuditEntry], conflicts k: [ConflictLogEntry], _ c: PostgresSession) async throws {
        if !a.isEmpty {
            let (ids, links) = try await ChainAppend.links(.audit, key: chains.key(.audit), entries: a.map(\.chainBytes), c)
            try await c.run("""
                INSERT INTO audit_log (id, at_ms, worker, device, replica, counter, collection, record, village, action, field, outcome, chain)
                SELECT id, at_ms, worker, device, replica, counter, collection, record, village, action, NULLIF(field, -1), outcome, chain
                FROM unnest(\(ids)::bigint[], \(a.map(\.atMilliseconds))::bigint[], \(a.map(\.worker.rawValue))::text[], \(a.map(\.deviceID))::text[],
                            \(a.map(\.dot.replica.int64))::bigint[], \(a.map { Int64(bitPattern: $0.dot.counter) })::bigint[],
                            \(a.map { Int64($0.record.collection.rawValue) })::bigint[], \(a.map(\.record.id.buffer))::bytea[],
                            \(a.map(\.record.scope.int64))::bigint[], \(a.map(\.action.name))::text[],
                            \(a.map { $0.action.field.map { Int64($0.rawValue) } ?? -1 })::bigint[], \(a.map(\.outcome.rawValue))::text[],
                            \(links.map { ByteBuffer(bytes: $0) })::bytea[])
                     AS u(id, at_ms, worker, device, replica, counter, collection, record, village, action, field, outcome, chain)
                """)
        }
        if !k.isEmpty {
            try await c.run("""
                INSERT INTO conflict_log (at_ms, collection, record, village, kind, field, dots, winner, cause)
                SELECT at_ms, collection, record, village, kind, NULLIF(field, -1), dots, NULLIF(winner, ''), cause
                FROM unnest(\(k.map(\.atMilliseconds))::bigint[], \(k.map { Int64($0.record.collection.rawValue) })::bigint[],
                            \(k.map(\.record.id.buffer))::bytea[], \(k.map(\.record.scope.int64))::bigint[], \(k.map(\.kind.rawValue))::text[],
                            \(k.map { $0.field.map { Int64($0.rawValue) } ?? -1 })::bigint[], \(k.map { StoredColumns.dotsText($0.dots) })::text[],
                            \(k.map { $0.winner?.description ?? "" })::text[], \(k.map(\.cause.description))::text[])
                     AS u(at_ms, collection, record, village, kind, field, dots, winner, cause)
                """)
        }
        let counts = LogCounts.increments(audit: a, conflicts: k)
        if !counts.isEmpty {
            try await c.run("""
                INSERT INTO log_counts (name, n) SELECT * FROM unnest(\(counts.map(\.name))::text[], \(counts.map(\.n))::bigint[])
                ON CONFLICT (name) DO UPDATE SET n = log_counts.n + excluded.n
                """)
        }
    }

    static let auditColumns = "at_ms, worker, device, replica, counter, collection, record, village, action, field, outcome"
    static let conflictColumns = "at_ms, collection, record, village, kind, field, dots, winner, cause"

    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await read("auditEntries") { c in
            try await c.rows("""
                SELECT \(unescaped: Self.auditColumns) FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT \(Int64(max(0, limit)))) latest ORDER BY id
                """).map(Self.auditEntry)
        }
    }

    public func auditEntries(replica: ReplicaID, limit: Int) async throws -> [AuditEntry] {
        try await read("auditEntries(replica:)") { c in
            try await c.rows("""
                SELECT \(unescaped: Self.auditColumns) FROM audit_log WHERE replica = \(replica.int64) ORDER BY id LIMIT \(Int64(max(0, limit)))
                """).map(Self.auditEntry)
        }
    }

    public func conflictLog(limit: Int) async throws -> [ConflictLogEntry] {
        try await read("conflictLog") { c in
            try await c.rows("""
                SELECT \(unescaped: Self.conflictColumns) FROM (SELECT * FROM conflict_log ORDER BY id DESC LIMIT \(Int64(max(0, limit)))) latest ORDER BY id
                """).map(Self.conflictEntry)
        }
    }

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (at, worker, device, replica, counter, collection, record, village, action, field, outcome) =
            try row.decode((Int64, String, String, Int64, Int64, Int64, ByteBuffer, Int64, String, Int64?, String).self)
        return try StoredColumns.auditEntry(atMilliseconds: at, worker: worker, device: device, replica: replica, counter: counter,
                                            key: try StoredColumns.key(collection: collection, record: record.bytes, village: village),
                                            action: action, field: field, outcome: outcome)
    }

    static func conflictEntry(_ row: PostgresRow) throws -> ConflictLogEntry {
        let (at, collection, record, village, kind, field, dots, winner, cause) =
            try row.decode((Int64, Int64, ByteBuffer, Int64, String, Int64?, String, String?, String).self)
        return try StoredColumns.conflictEntry(atMilliseconds: at, key: try StoredColumns.key(collection: collection, record: record.bytes, village: village),
                                               kind: kind, field: field, dots: dots, winner: winner, cause: cause)
    }
}
