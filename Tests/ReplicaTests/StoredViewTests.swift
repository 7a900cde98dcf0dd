import FieldModel
import Foundation
import GRDB
@testable import Replica
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// A record the worker has not changed keeps one state on disk (its confirmed state is its view);
/// a local change stores the view beside it until the server's state covers the change.
@Suite("Stored views: one state per record until the worker changes it")
struct StoredViewTests {
    let A = Fixture.villageA

    /// Rows of `records` with no stored view, read from the replica's file itself.
    static func rowsWithoutView(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE view IS NULL") ?? 0 }
    }

    @Test func pulledRecordsStoreOneStateAndLocalChangesStoreTheirView() throws {
        let h = try ReplicaHarness()
        defer { h.finish() }
        var server = OtherReplica()
        let households = (1...12).map { Fixture.newHousehold($0) }
        var states = households.map { server.created($0) }
        try h.replica.receivePage(states, cursor: 12)
        #expect(try Self.rowsWithoutView(h.path) == 12, "a bootstrap stores no view")
        #expect(try h.replica.households(in: A).map(\.id).sorted() == households.map(\.id).sorted())
        let views = try h.replica.viewStates(in: A), confirmed = try h.replica.confirmedStates(in: A)
        #expect(views.count == 12 && zip(views, confirmed).allSatisfy { $0.isObservablyEqual(to: $1) })
        #expect(try h.replica.householdDetail(households[0].id).household.id == households[0].id)

        // The worker changes one: its view is stored, the others stay single.
        let update = try h.replica.updateHousehold(households[2].id, [.phone: .text("13911112222")])[0]
        #expect(try Self.rowsWithoutView(h.path) == 11)
        try h.reopen()
        #expect(try h.replica.households(in: A).first { $0.id == households[2].id }?.phone == "13911112222")

        // A page that does not cover the change keeps it on top of the new confirmed state.
        states[2] = server.set(states[2], "addressDetail", .text("东街一号"))
        try h.replica.receivePage([states[2]], cursor: 13)
        var shown = try h.replica.households(in: A).first { $0.id == households[2].id }
        #expect(shown?.phone == "13911112222" && shown?.addressDetail == "东街一号")
        #expect(try Self.rowsWithoutView(h.path) == 11)

        // The server acknowledges it and sends the merged state; the next page of it stores it single again.
        let merged = states[2].merging([update])
        try h.replica.receivePage([merged], cursor: 14, acked: [update.dot.counter])
        #expect(try h.replica.outboxChanges().isEmpty)
        states[2] = server.set(merged, "addressDetail", .text("西街二号"))
        try h.replica.receivePage([states[2]], cursor: 15)
        #expect(try Self.rowsWithoutView(h.path) == 12)
        shown = try h.replica.households(in: A).first { $0.id == households[2].id }
        #expect(shown?.phone == "13911112222" && shown?.addressDetail == "西街二号")
        #expect(try h.replica.digest(of: A) == ScopeDigest.of(states))
    }

    /// A replica of the previous layout (WITHOUT ROWID, a view in every row) is rebuilt by the
    /// migration with every column of every row as it was, its indexes, and the rule that a row
    /// holds a view or a confirmed state.
    @Test func theMigrationKeepsEveryRowAsItWas() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = try DatabaseQueue(path: directory.file("old.sqlite"))
        try ReplicaSchema.migrator.migrate(queue, upTo: "v4-evidence")
        var rng = SeededGenerator(seed: 0x5EED)
        let rows: [[DatabaseValue]] = (0..<300).map { n in
            let id = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let confirmed: DatabaseValue = n % 5 == 0 ? .null : Data((0..<Int.random(in: 40...900, using: &rng)).map { _ in UInt8(n % 251) }).databaseValue
            return [Int64(n % 4 + 1).databaseValue, id.databaseValue, Int64(140_821_100_200 + n % 7).databaseValue,
                    n % 3 == 0 ? DatabaseValue.null : id.databaseValue, confirmed,
                    confirmed.isNull ? .null : Int64(n * 31).databaseValue, confirmed.isNull ? .null : Int64(-n).databaseValue,
                    Data(repeating: UInt8(n % 256), count: 64 + n).databaseValue, Int64(n % 2).databaseValue,
                    Int64(n % 11 == 0 ? 1 : 0).databaseValue, n % 6 == 0 ? .null : Int64(n * 1_000).databaseValue]
        }
        let columns = "collection, id, village, household, confirmed, confirmed_digest_high, confirmed_digest_low, view, is_deleted, needs_review, handle"
        try queue.write { db in
            for row in rows {
                try db.execute(sql: "INSERT INTO records (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: StatementArguments(row))
            }
        }
        try ReplicaSchema.migrator.migrate(queue)
        try queue.read { db in
            let stored = try Row.fetchAll(db, sql: "SELECT \(columns) FROM records ORDER BY collection, id").map { r in (0..<11).map { r[$0] as DatabaseValue } }
            let expected = rows.sorted { a, b in
                let (ca, cb) = (Int64.fromDatabaseValue(a[0])!, Int64.fromDatabaseValue(b[0])!)
                return ca != cb ? ca < cb : [UInt8](Data.fromDatabaseValue(a[1])!).lexicographicallyPrecedes([UInt8](Data.fromDatabaseValue(b[1])!))
            }
            #expect(stored == expected)
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'records'") ?? ""
            #expect(!sql.contains("WITHOUT ROWID"))
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL ORDER BY name")
            #expect(indexes == ["records_by_household", "records_by_village", "records_needing_review"])
        }
        #expect(throws: DatabaseError.self, "a row with neither state is refused") {
            try queue.write { db in
                try db.execute(sql: "INSERT INTO records (collection, id, village, is_deleted, needs_review) VALUES (1, x'00', 1, 0, 0)")
            }
        }
    }
}
