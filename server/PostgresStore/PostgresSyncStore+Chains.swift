import DataProtection
import NIOCore
import PostgresNIO
import ServerDirectory
import ServerEngine

/// The chains of the audit and security logs (`LogChain`). An append locks its log's row of
/// `log_chains` until commit and takes its ids from the log's sequence while holding it, so
/// entries chain in id order whatever the instances writing.
extension PostgresSyncStore: ChainedLogStore {
    public func chainState(_ log: ChainedLog) async throws -> LogChainState {
        try await read("chainState") { c in try await ChainAppend.state(log, lock: false, c) }
    }

    public func verify(_ log: ChainedLog) async throws -> LogVerification {
        try await read("verify") { c in
            let state = try await ChainAppend.state(log, lock: false, c)
            var walk = ChainWalk(key: chains.key(log), state: state)
            var after = state.anchorID
            // In pages, by id: one snapshot, bounded memory.
            walking: while true {
                let rows: [(Int64, [UInt8], [UInt8]?)] = switch log {
                case .audit:
                    try await c.rows("""
                        SELECT id, \(unescaped: Self.auditColumns), chain FROM audit_log WHERE id > \(after) ORDER BY id LIMIT 5000
                        """).map { row in
                            let (id, at, worker, device, replica, counter, collection, record, village, action, field, outcome, chain) =
                                try row.decode((Int64, Int64, String, String, Int64, Int64, Int64, ByteBuffer, Int64, String, Int64?, String, ByteBuffer?).self)
                            let entry = try StoredColumns.auditEntry(atMilliseconds: at, worker: worker, device: device, replica: replica, counter: counter,
                                                                     key: try StoredColumns.key(collection: collection, record: record.bytes, village: village),
                                                                     action: action, field: field, outcome: outcome)
                            return (id, entry.chainBytes, chain?.bytes)
                        }
                case .security:
                    try await c.rows("""
                        SELECT id, at_ms, kind, actor, credential, subject, detail, count, chain FROM security_log WHERE id > \(after) ORDER BY id LIMIT 5000
                        """).map { row in
                            let (id, at, kind, actor, credential, subject, detail, count, chain) =
                                try row.decode((Int64, Int64, String, String?, String?, String, String, Int64, ByteBuffer?).self)
                            let event = try StoredDirectoryColumns.securityEvent(id: id, atMilliseconds: at, kind: kind, actor: actor, credential: credential,
                                                                                 subject: subject, detail: detail, count: count)
                            return (id, event.chainBytes, chain?.bytes)
                        }
                }
                guard let last = rows.last else { break }
                for (id, entry, stored) in rows where !walk.check(id: id, entry: entry, stored: stored) { break walking }
                after = last.0
            }
            return walk.finish()
        }
    }
}

/// Appending to a chained log inside a write transaction.
enum ChainAppend {
    static func state(_ log: ChainedLog, lock: Bool, _ c: PostgresSession) async throws -> LogChainState {
        let query = PostgresQuery(unsafeSQL: "SELECT anchor_id, anchor, head_id, head FROM log_chains WHERE log = '\(log.rawValue)'" + (lock ? " FOR UPDATE" : ""))
        guard let row = try await c.rows(query).first else { throw SyncEngineError(.storage, "the chain of \(log.rawValue) has no anchor row") }
        let (anchorID, anchor, headID, head) = try row.decode((Int64, ByteBuffer, Int64, ByteBuffer).self)
        return LogChainState(log: log, anchorID: anchorID, anchor: anchor.bytes, headID: headID, head: head.bytes)
    }

    /// Locks the chain, takes ids for `entries` and links them after the head; moves the head.
    /// Returns the ids and links to insert with the entries, in the same transaction.
    static func links(_ log: ChainedLog, key: ChainKey, entries: [[UInt8]], _ c: PostgresSession) async throws -> ([Int64], [[UInt8]]) {
        guard !entries.isEmpty else { return ([], []) }
        let state = try await state(log, lock: true, c)
        let ids = try await c.all(PostgresQuery(unsafeSQL: """
            SELECT nextval(pg_get_serial_sequence('\(log.rawValue)', 'id')) FROM generate_series(1, \(entries.count)) ORDER BY 1
            """), as: Int64.self)
        var head = state.head
        var links: [[UInt8]] = []
        for entry in entries {
            head = key.link(after: head, entry: entry)
            links.append(head)
        }
        try await c.run("UPDATE log_chains SET head = \(ByteBuffer(bytes: head)), head_id = \(ids.last!) WHERE log = \(log.rawValue)")
        return (ids, links)
    }

    /// Moves the anchor of `log` to entry `id`, whose link becomes the anchor: the retention
    /// does it in the transaction that archives and deletes the entries up to `id`, so the kept
    /// entries verify from there and the archive files hold the chain before. Entries from
    /// before the log was chained leave the anchor where it is.
    static func moveAnchor(_ log: ChainedLog, through id: Int64, _ c: PostgresSession) async throws {
        let state = try await state(log, lock: true, c)
        guard id > state.anchorID else { return }
        guard id <= state.headID, let link = try await c.all(PostgresQuery(unsafeSQL: "SELECT chain FROM \(log.rawValue) WHERE id = \(id)"),
                                                              as: ByteBuffer?.self).first ?? nil else {
            throw SyncEngineError(.invalidArgument, "\(log.rawValue) has no chained entry \(id) to anchor at (chained: \(state.anchorID + 1)…\(state.headID))")
        }
        try await c.run("UPDATE log_chains SET anchor_id = \(id), anchor = \(link) WHERE log = \(log.rawValue)")
    }
}
