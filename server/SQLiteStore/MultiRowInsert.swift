import GRDB

/// An `INSERT` of many rows per statement: a push writes each table with one or a few
/// statements instead of one per row, and each statement shape is prepared once per connection
/// (cached by its text; chunks of `rowsPerStatement` and one remainder).
struct MultiRowInsert: Sendable {
    let table: String
    let columns: [String]
    /// What follows the `VALUES` list: an `ON CONFLICT` clause, or nothing.
    let conflict: String
    var rowsPerStatement = 64
    /// `INSERT OR IGNORE` rather than `INSERT`.
    var orIgnore = false

    /// Inserts `rows`, each with one value per column, in statements of at most `rowsPerStatement` rows.
    func run(_ db: Database, _ rows: [[(any DatabaseValueConvertible)?]]) throws {
        var start = 0
        while start < rows.count {
            let end = min(start + rowsPerStatement, rows.count)
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity((end - start) * columns.count)
            for row in rows[start..<end] {
                precondition(row.count == columns.count, "a row of \(row.count) values for \(columns.count) columns of \(table)")
                values += row
            }
            try db.cachedStatement(sql: sql(rows: end - start)).execute(arguments: StatementArguments(values))
            start = end
        }
    }

    func sql(rows: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT \(orIgnore ? "OR IGNORE " : "")INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: tuple, count: rows).joined(separator: ", ") + (conflict.isEmpty ? "" : " " + conflict)
    }
}

extension MultiRowInsert {
    /// Inserts or replaces record rows. A record deleted before keeps its first deletion time,
    /// so re-deleting it does not postpone its purge.
    static let records = MultiRowInsert(
        table: "records",
        columns: ["id", "collection", "village", "seq", "state", "digest", "is_deleted", "needs_review", "deleted_at_ms", "household_id"],
        conflict: """
            ON CONFLICT(id) DO UPDATE SET
                collection = excluded.collection, village = excluded.village, seq = excluded.seq, state = excluded.state,
                digest = excluded.digest, needs_review = excluded.needs_review, household_id = excluded.household_id,
                deleted_at_ms = CASE WHEN excluded.is_deleted = 0 THEN NULL
                                     WHEN records.is_deleted = 1 THEN records.deleted_at_ms
                                     ELSE excluded.deleted_at_ms END,
                is_deleted = excluded.is_deleted
            """)

    /// Adds each village's digest delta: XOR of the digests (written with `&`, `|` and `~`,
    /// SQLite having no XOR operator) and the sum of the counts, which commute.
    static let villageDigests = MultiRowInsert(
        table: "village_digests", columns: ["village", "high", "low", "record_count"],
        conflict: """
            ON CONFLICT(village) DO UPDATE SET
                high = (village_digests.high | excluded.high) & ~(village_digests.high & excluded.high),
                low = (village_digests.low | excluded.low) & ~(village_digests.low & excluded.low),
                record_count = village_digests.record_count + excluded.record_count
            """)

    static let villages = MultiRowInsert(table: "villages", columns: ["village"], conflict: "", orIgnore: true)

    static let processedDots = MultiRowInsert(
        table: "processed_dots", columns: ["replica", "counter", "digest", "rejected", "reason", "message", "decided_at_ms"], conflict: "")

    static let replicaCounters = MultiRowInsert(
        table: "replica_counters", columns: ["replica", "highest"],
        conflict: "ON CONFLICT(replica) DO UPDATE SET highest = max(highest, excluded.highest)")

    static let filings = MultiRowInsert(
        table: "filings", columns: ["filing_id", "staff", "household", "relation", "filed_on", "village"], conflict: "", orIgnore: true)

    static let auditLog = MultiRowInsert(
        table: "audit_log",
        columns: ["at_ms", "worker", "device", "replica", "counter", "collection", "record", "village", "action", "field", "outcome"],
        conflict: "")

    static let conflictLog = MultiRowInsert(
        table: "conflict_log", columns: ["at_ms", "collection", "record", "village", "kind", "field", "dots", "winner", "cause"],
        conflict: "")
}
