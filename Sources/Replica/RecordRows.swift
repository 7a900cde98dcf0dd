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

/// A stored row as a pulled page finds it: where it is, and what its confirmed state adds to
/// that village's digest (nil: no confirmed state, or a deleted one).
struct StoredConfirmation {
    let village: VillageCode
    let digest: Digest128?
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

    /// What a page needs of the rows it replaces (those the replica holds of `keys`): each row's
    /// village and the digest of its confirmed state, read with one statement per collection and
    /// 100 ids. No state is opened or decoded: the page brings the new ones.
    static func confirmations(_ db: Database, _ keys: [RecordKey]) throws -> [OutboxRecord: StoredConfirmation] {
        var out: [OutboxRecord: StoredConfirmation] = [:]
        for (collection, ofCollection) in Dictionary(grouping: keys, by: \.collection) {
            let ids = ofCollection.map(\.id)
            for start in stride(from: 0, to: ids.count, by: 100) {
                let chunk = ids[start..<min(start + 100, ids.count)]
                let statement = try db.cachedStatement(sql: """
                    SELECT id, village, confirmed_digest_high, confirmed_digest_low FROM records
                    WHERE collection = ? AND id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))
                    """)
                let rows = try Row.fetchAll(statement, arguments: StatementArguments([Int64(collection.rawValue)] + chunk.map { Data($0.bytes) }))
                for row in rows {
                    let village: Int64 = row["village"]
                    out[OutboxRecord(collection: Int64(collection.rawValue), id: row["id"])] =
                        StoredConfirmation(village: VillageCode(uncheckedRawValue: UInt64(village)), digest: Self.digest(row))
                }
            }
        }
        return out
    }

    /// The stored digest of a row read with `confirmed_digest_high` and `confirmed_digest_low`.
    static func digest(_ row: Row) -> Digest128? {
        guard let h: Int64 = row["confirmed_digest_high"], let l: Int64 = row["confirmed_digest_low"] else { return nil }
        return Digest128(high: UInt64(bitPattern: h), low: UInt64(bitPattern: l))
    }

    static func decode(_ row: Row, _ codec: ReplicaCodec, _ collection: RecordCollection, _ id: RecordID) throws -> RecordRow {
        var confirmed: RecordState? = nil
        if let c: Data = row["confirmed"] {
            confirmed = try codec.state(c, includesSupersession: false)
        }
        let view = try view(row, codec, confirmed: confirmed)
        return RecordRow(key: view.key, confirmed: confirmed, view: view, storedDigest: digest(row))
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
/// a statement): each row's confirmed state comes sealed and hashed (`PreparedConfirmed`, before
/// the transaction) and is its only state when the worker has not changed it, and the village
/// digest moves from the row's stored digest to the new one in `digests`.
struct ConfirmedRowBatch {
    /// Seals the views of rows the worker has changed.
    let codec: ReplicaCodec
    /// Each row's values, bound as they are (no conversion per value when the page is written).
    private var rows: [[DatabaseValue]] = []
    /// What each row leaves in its village, in the order of `rows`.
    private var confirmations: [StoredConfirmation] = []
    private var positions: [OutboxRecord: Int] = [:]
    static let columns = 11
    static let rowsPerStatement = 64

    init(codec: ReplicaCodec) { self.codec = codec }

    /// Adds the row of a pulled state (`row.confirmed`, made ready as `prepared`), moving its
    /// village's digest from the row's stored digest to the new one. `id`: the row's key as the
    /// outbox names it. `viewIsConfirmed`: the row's view is its confirmed state (no local
    /// change), stored as no view.
    mutating func append(_ db: Database, _ row: RecordRow, id: OutboxRecord, prepared: PreparedConfirmed.Row, viewIsConfirmed: Bool,
                         handle: UInt64?, digests: inout VillageDigestBatch) throws {
        let digest = prepared.digest
        try digests.replace(db, row.key.scope, row.storedDigest, with: digest)
        let values: [DatabaseValue] = [
            id.collection.databaseValue, id.id.databaseValue, Int64(row.key.scope.rawValue).databaseValue,
            row.household.map { Data($0.bytes).databaseValue } ?? .null,
            prepared.blob.databaseValue, digest.map { Int64(bitPattern: $0.high).databaseValue } ?? .null,
            digest.map { Int64(bitPattern: $0.low).databaseValue } ?? .null,
            viewIsConfirmed ? .null : codec.stateBlob(row.view, includeSupersession: true).databaseValue,
            row.view.isDeleted.databaseValue, row.view.needsReview.databaseValue,
            handle.map { Int64(bitPattern: $0).databaseValue } ?? .null,
        ]
        let confirmation = StoredConfirmation(village: row.key.scope, digest: digest)
        if let i = positions[id] {
            rows[i] = values
            confirmations[i] = confirmation
        } else {
            positions[id] = rows.count
            rows.append(values)
            confirmations.append(confirmation)
        }
    }

    /// The row this page already holds of `id`, as a later state of the same record replaces it.
    func added(_ id: OutboxRecord) -> StoredConfirmation? {
        positions[id].map { confirmations[$0] }
    }

    func write(_ db: Database) throws {
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            let sql = chunk.count == Self.rowsPerStatement ? Self.fullStatement : Self.statement(rows: chunk.count)
            // One flat array: GRDB's generic conversion walks a joined sequence several times slower.
            var values: [DatabaseValue] = []
            values.reserveCapacity(chunk.count * Self.columns)
            for row in chunk { values.append(contentsOf: row) }
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
        }
    }

    /// The upsert of `rows` rows; the one of a full chunk is built once.
    static func statement(rows: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return """
            INSERT INTO records (collection, id, village, household, confirmed, confirmed_digest_high, confirmed_digest_low, view, is_deleted, needs_review, handle)
            VALUES \(Array(repeating: tuple, count: rows).joined(separator: ", "))
            ON CONFLICT(collection, id) DO UPDATE SET household = excluded.household, confirmed = excluded.confirmed,
              confirmed_digest_high = excluded.confirmed_digest_high, confirmed_digest_low = excluded.confirmed_digest_low,
              view = excluded.view, is_deleted = excluded.is_deleted, needs_review = excluded.needs_review, handle = excluded.handle
            """
    }

    static let fullStatement = statement(rows: rowsPerStatement)
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
