import FieldModel
import Foundation
import GRDB
import SyncCore

/// One row of `records`: the server's state of a record and the state the worker sees.
struct RecordRow {
    let key: RecordKey
    var confirmed: RecordState?
    var view: RecordState
    /// The digest of the confirmed state as the row holds it (nil for a new row or none): what
    /// the village digest must lose when the confirmed state is replaced.
    var storedDigest: Digest128? = nil

    /// The household a member, visit or filing belongs to (for lookups by household).
    var household: RecordID? { view.householdID }
}

/// Reading and writing `records` rows, keeping per-village digests of confirmed states.
///
/// Statements are cached: a page applies hundreds of rows in one transaction, and preparing
/// each statement anew cost more than running it.
enum RecordRows {
    /// The live views of `collection`, of one village or all, by id.
    static func views(_ db: Database, _ codec: ReplicaCodec, collection: RecordCollection, village: VillageCode? = nil) throws -> [RecordState] {
        var sql = "SELECT view, confirmed FROM records WHERE collection = ? AND is_deleted = 0"
        var args: [any DatabaseValueConvertible] = [Int64(collection.rawValue)]
        if let village { sql += " AND village = ?"; args.append(Int64(village.rawValue)) }
        return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: StatementArguments(args)).map { row in
            try view(row, codec)
        }
    }

    /// The worker's view of a row read with its `view` and `confirmed` columns: a row the
    /// worker has not changed stores no view, its confirmed state being the view. `confirmed`:
    /// the row's confirmed state when the caller decoded it already.
    static func view(_ row: Row, _ codec: ReplicaCodec, confirmed: RecordState? = nil) throws -> RecordState {
        if let view: Data = row["view"] { return try codec.state(view, includesSupersession: true) }
        if let confirmed { return confirmed }
        guard let stored: Data = row["confirmed"] else { throw ReplicaError(.storage, "a record row with neither a view nor a confirmed state") }
        return try codec.state(stored, includesSupersession: false)
    }

    static func load(_ db: Database, _ codec: ReplicaCodec, _ collection: RecordCollection, _ id: RecordID) throws -> RecordRow? {
        let statement = try db.cachedStatement(sql: """
            SELECT village, confirmed, view, confirmed_digest_high, confirmed_digest_low FROM records WHERE collection = ? AND id = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [Int64(collection.rawValue), Data(id.bytes)]) else { return nil }
        return try decode(row, codec, collection, id)
    }

    /// The stored rows of `keys` (those the replica holds), by collection and id, read with one
    /// statement per collection and 100 ids.
    static func loadAll(_ db: Database, _ codec: ReplicaCodec, _ keys: [RecordKey]) throws -> [OutboxRecord: RecordRow] {
        var out: [OutboxRecord: RecordRow] = [:]
        for (collection, ofCollection) in Dictionary(grouping: keys, by: \.collection) {
            let ids = ofCollection.map(\.id)
            for start in stride(from: 0, to: ids.count, by: 100) {
                let chunk = ids[start..<min(start + 100, ids.count)]
                let statement = try db.cachedStatement(sql: """
                    SELECT id, village, confirmed, view, confirmed_digest_high, confirmed_digest_low FROM records
                    WHERE collection = ? AND id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))
                    """)
                let rows = try Row.fetchAll(statement, arguments: StatementArguments([Int64(collection.rawValue)] + chunk.map { Data($0.bytes) }))
                for row in rows {
                    guard let id = RecordID(bytes: [UInt8](row["id"] as Data)) else { continue }
                    let decoded = try decode(row, codec, collection, id)
                    out[OutboxRecord(decoded.key)] = decoded
                }
            }
        }
        return out
    }

    static func decode(_ row: Row, _ codec: ReplicaCodec, _ collection: RecordCollection, _ id: RecordID) throws -> RecordRow {
        var confirmed: RecordState? = nil
        if let c: Data = row["confirmed"] {
            confirmed = try codec.state(c, includesSupersession: false)
        }
        let view = try view(row, codec, confirmed: confirmed)
        var digest: Digest128? = nil
        if let h: Int64 = row["confirmed_digest_high"], let l: Int64 = row["confirmed_digest_low"] {
            digest = Digest128(high: UInt64(bitPattern: h), low: UInt64(bitPattern: l))
        }
        return RecordRow(key: view.key, confirmed: confirmed, view: view, storedDigest: digest)
    }

    /// Writes the row's view, leaving its confirmed state as stored.
    static func saveView(_ db: Database, _ codec: ReplicaCodec, _ row: RecordRow) throws {
        try db.cachedStatement(sql: """
            INSERT INTO records (collection, id, village, household, confirmed, view, is_deleted, needs_review)
            VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
            ON CONFLICT(collection, id) DO UPDATE SET household = excluded.household, view = excluded.view,
              is_deleted = excluded.is_deleted, needs_review = excluded.needs_review
            """).execute(arguments: [Int64(row.key.collection.rawValue), Data(row.key.id.bytes), Int64(row.key.scope.rawValue),
                                     row.household.map { Data($0.bytes) }, codec.stateBlob(row.view, includeSupersession: true),
                                     row.view.isDeleted, row.view.needsReview])
    }

    /// Removes a record row, taking its confirmed state out of the village digest.
    static func delete(_ db: Database, _ key: RecordKey) throws {
        if let old = try Row.fetchOne(db, sql: "SELECT confirmed_digest_high AS h, confirmed_digest_low AS l FROM records WHERE collection = ? AND id = ?",
                                      arguments: [Int64(key.collection.rawValue), Data(key.id.bytes)]),
           let h: Int64 = old["h"], let l: Int64 = old["l"] {
            try VillageDigests.replace(db, key.scope, Digest128(high: UInt64(bitPattern: h), low: UInt64(bitPattern: l)), with: nil)
        }
        try db.execute(sql: "DELETE FROM records WHERE collection = ? AND id = ?",
                       arguments: [Int64(key.collection.rawValue), Data(key.id.bytes)])
    }

    /// The view rebuilt from the confirmed state and every local change the server has not yet
    /// folded into it (pending or acknowledged, never rejected), in dot order. A change whose dot
    /// the confirmed version covers is already part of the server's state, or was superseded there.
    static func rebuiltView(_ db: Database, _ codec: ReplicaCodec, key: RecordKey, confirmed: RecordState?) throws -> RecordState {
        var view = confirmed ?? RecordState(key: key)
        for change in try Outbox.unrejectedChanges(db, codec, for: key) where !(confirmed?.version.covers(change.dot) ?? false) {
            view.apply(change)
        }
        return view
    }

    /// All rows of a village.
    static func keys(_ db: Database, village: VillageCode) throws -> [RecordKey] {
        try Row.fetchAll(db, sql: "SELECT collection, id FROM records WHERE village = ?", arguments: [Int64(village.rawValue)]).compactMap { r in
            let c: Int64 = r["collection"], d: Data = r["id"]
            guard let collection = RecordCollection(rawValue: UInt8(c)), let id = RecordID(bytes: [UInt8](d)) else { return nil }
            return RecordKey(collection, id, scope: village)
        }
    }
}

/// The rows a page confirms, written together at the page's end with multi-row upserts (64 rows
/// a statement): each row's confirmed state is encoded once for the row and its digest (and is
/// its only state when the worker has not changed it), and the village digest moves from the
/// row's stored digest to the new one in `digests`.
struct ConfirmedRowBatch {
    /// Seals the states as they are written.
    let codec: ReplicaCodec
    private var rows: [[(any DatabaseValueConvertible)?]] = []
    private var positions: [OutboxRecord: Int] = [:]
    static let columns = 11
    static let rowsPerStatement = 64

    init(codec: ReplicaCodec) { self.codec = codec }

    /// Adds the row; returns the digest its confirmed state now has in the village (nil: none or deleted).
    /// `viewIsConfirmed`: the row's view is its confirmed state (no local change), stored as no view.
    @discardableResult
    mutating func append(_ db: Database, _ row: RecordRow, viewIsConfirmed: Bool = false, handle: UInt64? = nil,
                         digests: inout VillageDigestBatch) throws -> Digest128? {
        let confirmed = row.confirmed.map { $0.encoded(includeSupersession: false) }
        let digest = row.confirmed.flatMap { $0.isDeleted ? nil : StableHash.hash128(confirmed!) }
        try digests.replace(db, row.key.scope, row.storedDigest, with: digest)
        let values: [(any DatabaseValueConvertible)?] = [
            Int64(row.key.collection.rawValue), Data(row.key.id.bytes), Int64(row.key.scope.rawValue), row.household.map { Data($0.bytes) },
            confirmed.map { codec.stateBlob(encoded: $0, includeSupersession: false) }, digest.map { Int64(bitPattern: $0.high) },
            digest.map { Int64(bitPattern: $0.low) },
            viewIsConfirmed && confirmed != nil ? nil : codec.stateBlob(row.view, includeSupersession: true), row.view.isDeleted, row.view.needsReview,
            handle.map { Int64(bitPattern: $0) },
        ]
        if let i = positions[OutboxRecord(row.key)] {
            rows[i] = values
        } else {
            positions[OutboxRecord(row.key)] = rows.count
            rows.append(values)
        }
        return digest
    }

    func write(_ db: Database) throws {
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            let tuple = "(" + Array(repeating: "?", count: Self.columns).joined(separator: ", ") + ")"
            try db.cachedStatement(sql: """
                INSERT INTO records (collection, id, village, household, confirmed, confirmed_digest_high, confirmed_digest_low, view, is_deleted, needs_review, handle)
                VALUES \(Array(repeating: tuple, count: chunk.count).joined(separator: ", "))
                ON CONFLICT(collection, id) DO UPDATE SET household = excluded.household, confirmed = excluded.confirmed,
                  confirmed_digest_high = excluded.confirmed_digest_high, confirmed_digest_low = excluded.confirmed_digest_low,
                  view = excluded.view, is_deleted = excluded.is_deleted, needs_review = excluded.needs_review, handle = excluded.handle
                """).execute(arguments: StatementArguments(chunk.flatMap { $0 }))
        }
    }
}

/// Per-village digests of the confirmed states (deleted records count for nothing).
enum VillageDigests {
    static func get(_ db: Database, _ village: VillageCode) throws -> ScopeDigest {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT high, low, count FROM digests WHERE village = ?"), arguments: [Int64(village.rawValue)]) else {
            return ScopeDigest()
        }
        let h: Int64 = r["high"], l: Int64 = r["low"], c: Int64 = r["count"]
        return ScopeDigest(value: Digest128(high: UInt64(bitPattern: h), low: UInt64(bitPattern: l)), recordCount: Int(c))
    }

    /// The digest recomputed from the village's rows as they are now (each row's stored digest of
    /// its confirmed state), not the running total: a row lost or damaged behind the replica's
    /// back then differs from the server's digest, and the village is repaired.
    /// - Complexity: O(records of the village).
    static func held(_ db: Database, _ village: VillageCode) throws -> ScopeDigest {
        var d = ScopeDigest()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT confirmed_digest_high AS h, confirmed_digest_low AS l FROM records
            WHERE village = ? AND confirmed_digest_high IS NOT NULL AND confirmed_digest_low IS NOT NULL
            """, arguments: [Int64(village.rawValue)])
        while let r = try rows.next() {
            let h: Int64 = r["h"], l: Int64 = r["l"]
            d.replace(nil, with: Digest128(high: UInt64(bitPattern: h), low: UInt64(bitPattern: l)))
        }
        return d
    }

    static func replace(_ db: Database, _ village: VillageCode, _ old: Digest128?, with new: Digest128?) throws {
        var batch = VillageDigestBatch()
        try batch.replace(db, village, old, with: new)
        try batch.write(db)
    }

    static func set(_ db: Database, _ village: VillageCode, _ d: ScopeDigest) throws {
        try db.cachedStatement(sql: """
            INSERT INTO digests (village, high, low, count) VALUES (?, ?, ?, ?)
            ON CONFLICT(village) DO UPDATE SET high = excluded.high, low = excluded.low, count = excluded.count
            """).execute(arguments: [Int64(village.rawValue), Int64(bitPattern: d.value.high), Int64(bitPattern: d.value.low), d.recordCount])
    }
}

/// Village digests changed in memory over a page and written once at its end, instead of a read
/// and a write of the village's digest per record. Write it before anything else reads them.
struct VillageDigestBatch {
    private var changed: [VillageCode: ScopeDigest] = [:]

    mutating func replace(_ db: Database, _ village: VillageCode, _ old: Digest128?, with new: Digest128?) throws {
        guard old != nil || new != nil else { return }
        var d = try changed[village] ?? VillageDigests.get(db, village)
        d.replace(old, with: new)
        changed[village] = d
    }

    func write(_ db: Database) throws {
        for (village, d) in changed { try VillageDigests.set(db, village, d) }
    }
}
