import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

extension SQLiteSyncStore {
    public func liveDigests(of collection: RecordCollection, villages: [VillageCode]) async throws -> [VillageCode: ScopeDigest] {
        try await guarded("liveDigests") {
            try await pool.read { db in
                var digests: [VillageCode: ScopeDigest] = [:]
                try forEachChunk(villages.map(\.int64)) { chunk, marks in
                    let rows = try Row.fetchAll(db, sql: "SELECT village, digest FROM records WHERE collection = ? AND is_deleted = 0 AND village IN (\(marks))",
                                                arguments: StatementArguments([Int64(collection.rawValue)] + Array(chunk)))
                    for row in rows {
                        digests[VillageCode(uncheckedRawValue: UInt64(row[0] as Int64)), default: ScopeDigest()]
                            .replace(nil, with: try StoredColumns.digest([UInt8](row[1] as Data)))
                    }
                }
                return digests
            }
        }
    }

    /// One read transaction: a k-way merge of per-village range scans on `(village, seq)`, then
    /// the digests from the same snapshot.
    ///
    /// Each village's scan steps lazily, and the merge takes rows in sequence order until the page
    /// is full, so a page reads `limit + villages` rows whatever the size of the store or of the
    /// villages' history.
    /// - Complexity: O((limit + k) log k) for k villages.
    public func pull(_ cursors: [VillageCode: UInt64], limit: Int) async throws -> PullPage {
        guard limit >= 1 else { throw SyncEngineError(.invalidArgument, "page limit \(limit); ask for at least 1 record") }
        return try await guarded("pull") {
            try await pool.read { db in
                let last = try Meta.lastSequence.get(db)
                let mark = try Meta.purgeMark(db)
                var merge = try VillageMerge(cursors: cursors, limit: limit, db)
                var records: [RecordState] = [], sequences: [UInt64] = []
                var lastTaken: UInt64 = 0
                while records.count < limit, let (sequence, blob) = try merge.next() {
                    records.append(try codec.state(blob))
                    sequences.append(sequence)
                    lastTaken = sequence
                }
                let hasMore = records.count == limit && merge.hasNext
                var digests: [VillageCode: ScopeDigest] = [:]
                if !hasMore {
                    try forEachChunk(cursors.keys.map(\.int64)) { chunk, marks in
                        for row in try Row.fetchAll(db, sql: "SELECT village, high, low, record_count FROM village_digests WHERE village IN (\(marks))",
                                                    arguments: StatementArguments(Array(chunk))) {
                            digests[VillageCode(uncheckedRawValue: UInt64(row[0] as Int64))] = ScopeDigest(
                                value: Digest128(high: UInt64(bitPattern: row[1]), low: UInt64(bitPattern: row[2])), recordCount: row[3])
                        }
                    }
                }
                return PullPage(records: records, sequences: sequences, hasMore: hasMore, watermark: hasMore ? lastTaken : last, digests: digests,
                                purgeMark: mark)
            }
        }
    }
}

extension SQLiteSyncStore {
    public func recordIDs(handles: [UInt64]) async throws -> [UInt64: RecordID] {
        try await guarded("recordIDs") {
            try await pool.read { db in
                var ids: [UInt64: RecordID] = [:]
                try forEachChunk(handles.map { Int64(bitPattern: $0) }) { chunk, marks in
                    for row in try Row.fetchAll(db, sql: "SELECT seq, id FROM records WHERE seq IN (\(marks))",
                                                arguments: StatementArguments(Array(chunk))) {
                        ids[UInt64(bitPattern: row[0] as Int64)] = try RecordID.fromBlob(row[1])
                    }
                }
                return ids
            }
        }
    }
}

/// Merges the villages' `seq > cursor` scans in sequence order, holding one row per village.
struct VillageMerge {
    private var scans: [RowCursor] = []
    /// A min-heap of (sequence, scan index) with each scan's current row's state alongside.
    private var heap: [(sequence: UInt64, scan: Int)] = []
    private var heads: [Data?] = []

    /// Scans up to this many villages use statements kept prepared per connection; more use fresh ones.
    static let cachedSlots = 256

    init(cursors: [VillageCode: UInt64], limit: Int, _ db: Database) throws {
        for (slot, (village, cursor)) in cursors.sorted(by: { $0.key < $1.key }).enumerated() {
            // The scans are open at the same time, so each needs a statement of its own: the slot's
            // number in the text keeps one prepared per slot (preparing one per village per pull
            // was ~7 % of a push's exchange). A cursor resets its statement when it is dropped.
            let sql = "SELECT seq, state FROM records WHERE village = ? AND seq > ? ORDER BY seq LIMIT ? -- scan \(slot)"
            let statement = slot < Self.cachedSlots ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let scan = try Row.fetchCursor(statement, arguments: [village.int64, Int64(bitPattern: cursor), limit + 1])
            scans.append(scan)
            heads.append(nil)
            try advance(scans.count - 1)
        }
    }

    var hasNext: Bool { !heap.isEmpty }

    /// The row with the smallest sequence among all villages, and the scan moves on.
    mutating func next() throws -> (UInt64, Data)? {
        guard let top = heap.first else { return nil }
        let blob = heads[top.scan]!
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        siftDown(0)
        try advance(top.scan)
        return (top.sequence, blob)
    }

    private mutating func advance(_ scan: Int) throws {
        guard let row = try scans[scan].next() else { heads[scan] = nil; return }
        // Rows of a cursor are reused: copy the values out now.
        heads[scan] = row[1] as Data
        heap.append((UInt64(bitPattern: row[0] as Int64), scan))
        siftUp(heap.count - 1)
    }

    private mutating func siftUp(_ i: Int) {
        var child = i
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].sequence < heap[parent].sequence else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var parent = i
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].sequence < heap[smallest].sequence { smallest = left }
            if right < heap.count && heap[right].sequence < heap[smallest].sequence { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
