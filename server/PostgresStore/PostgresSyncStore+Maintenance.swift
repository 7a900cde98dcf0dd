import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

extension PostgresSyncStore {
    /// Locks the old tombstones first (in id order, as a push locks records), so a push that
    /// revives one of them either commits before, and the row no longer qualifies, or waits.
    public func purgeTombstones(deletedBefore milliseconds: Int64) async throws -> Int {
        try await write("purgeTombstones") { c in
            let rows = try await c.rows("""
                SELECT id, seq FROM records WHERE is_deleted AND deleted_at_ms < \(milliseconds) ORDER BY id FOR UPDATE
                """).map { try $0.decode((ByteBuffer, Int64).self) }
            guard let highest = rows.map(\.1).max() else { return 0 }
            try await c.run("DELETE FROM records WHERE id = ANY(\(rows.map(\.0))::bytea[])")
            try await c.run("UPDATE meta SET value = GREATEST(value, \(highest)) WHERE key = \(Meta.purgedThrough.rawValue)")
            _ = try await Meta.add(.purgeGeneration, 1, c)
            return rows.count
        }
    }

    /// A hash over the content of every table but the request logs (as the SQLite store's):
    /// each table's rows as text, sorted, hashed by PostgreSQL, then the tables' hashes chained
    /// in name order. Equal content gives an equal hash whatever the physical order.
    /// - Complexity: O(size of the database); for tests and ops checks, not for the request path.
    public func stateHash() async throws -> Digest128 {
        try await stateHash(leavingOut: [])
    }

    /// The state hash without `tables` as well (what a rejected change records, for a test).
    public func stateHash(leavingOut left: Set<String>) async throws -> Digest128 {
        try await read("stateHash") { c in
            let tables = try await c.all("""
                SELECT table_name::text FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                """, as: String.self).filter { !PostgresSchema.unhashedTables.contains($0) && !left.contains($0) }
            var text = ""
            for table in tables {
                let (count, md5) = try await c.rows(PostgresQuery(unsafeSQL: """
                    SELECT count(*), md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C"), '')) FROM "\(table)" t
                    """))[0].decode((Int64, String).self)
                text += "\(table) \(count) \(md5)\n"
            }
            return StableHash.hash128(Array(text.utf8))
        }
    }
}
