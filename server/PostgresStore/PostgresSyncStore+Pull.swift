import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

extension PostgresSyncStore {
    /// One `REPEATABLE READ` snapshot, in two steps: the page's sequence numbers from a merge of
    /// per-village range scans of the `(village, seq)` index (each scan stops after `limit + 1`
    /// entries, read from the index alone), then the page's states by sequence; the digests and
    /// the counters come from the same snapshot.
    ///
    /// Every sequence at or below the snapshot's `last_seq` is committed and visible in it
    /// (sequences are allocated under a lock held to commit), so the watermark of a last page
    /// never passes a change that commits later.
    /// - Complexity: O(k · min(limit, changes per village) + limit) index entries for k villages.
    public func pull(_ cursors: [VillageCode: UInt64], limit: Int) async throws -> PullPage {
        guard limit >= 1 else { throw SyncEngineError(.invalidArgument, "page limit \(limit); ask for at least 1 record") }
        let villages = cursors.keys.sorted()
        let after = villages.map { Int64(bitPattern: cursors[$0]!) }
        return try await read("pull") { c in
            let meta = try await Meta.all(c)
            let sequences = villages.isEmpty ? [] : try await c.all("""
                SELECT s.seq FROM unnest(\(villages.map(\.int64))::bigint[], \(after)::bigint[]) AS v(village, after)
                CROSS JOIN LATERAL (
                    SELECT r.seq FROM records r WHERE r.village = v.village AND r.seq > v.after ORDER BY r.seq LIMIT \(limit + 1)
                ) s
                ORDER BY s.seq LIMIT \(limit + 1)
                """, as: Int64.self)
            let hasMore = sequences.count > limit
            let taken = Array(sequences.prefix(limit))
            let records = taken.isEmpty ? [] : try await c.all("SELECT state FROM records WHERE seq = ANY(\(taken)::bigint[]) ORDER BY seq",
                                                               as: ByteBuffer.self).map(codec.state)
            guard records.count == taken.count else {
                throw SyncEngineError(.storage, "a pull found \(taken.count) sequences but read \(records.count) records in the same snapshot")
            }
            var digests: [VillageCode: ScopeDigest] = [:]
            if !hasMore && !villages.isEmpty {
                for row in try await c.rows("""
                    SELECT village, high, low, record_count FROM village_digests WHERE village = ANY(\(villages.map(\.int64))::bigint[])
                    """) {
                    let (village, high, low, count) = try row.decode((Int64, Int64, Int64, Int64).self)
                    digests[StoredColumns.village(village)] = ScopeDigest(
                        value: Digest128(high: UInt64(bitPattern: high), low: UInt64(bitPattern: low)), recordCount: Int(count))
                }
            }
            let mark = PurgeMark(generation: meta[.purgeGeneration] ?? 0, sequence: meta[.purgedThrough] ?? 0)
            return PullPage(records: records, sequences: taken.map { UInt64(bitPattern: $0) }, hasMore: hasMore, watermark: hasMore ? UInt64(bitPattern: taken.last!) : meta[.lastSequence] ?? 0,
                            digests: digests, purgeMark: mark)
        }
    }

    public func liveDigests(of collection: RecordCollection, villages: [VillageCode]) async throws -> [VillageCode: ScopeDigest] {
        try await read("liveDigests") { c in
            var digests: [VillageCode: ScopeDigest] = [:]
            for row in try await c.rows("""
                SELECT village, digest FROM records
                WHERE collection = \(Int64(collection.rawValue)) AND NOT is_deleted AND village = ANY(\(villages.map(\.int64))::bigint[])
                """) {
                let (village, digest) = try row.decode((Int64, ByteBuffer).self)
                digests[StoredColumns.village(village), default: ScopeDigest()].replace(nil, with: try StoredColumns.digest(digest.bytes))
            }
            return digests
        }
    }

    public func recordIDs(handles: [UInt64]) async throws -> [UInt64: RecordID] {
        try await read("recordIDs") { c in
            var ids: [UInt64: RecordID] = [:]
            for row in try await c.rows("SELECT seq, id FROM records WHERE seq = ANY(\(handles.map { Int64(bitPattern: $0) })::bigint[])") {
                let (seq, id) = try row.decode((Int64, ByteBuffer).self)
                ids[UInt64(bitPattern: seq)] = try StoredColumns.recordID(id.bytes)
            }
            return ids
        }
    }
}
