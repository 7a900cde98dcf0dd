import DataProtection
import FieldModel
import Foundation
import GRDB
import ServerEngine
import ServerOps
@testable import ServerPostgres
import ServerSQLite
import SyncCore
import TestSupport
import Testing

/// A store that held records before the supervision tables existed computes their facts when
/// it migrates: the counts after the upgrade equal the generated data's.
@Suite("Supervision facts backfilled at migration", .serialized)
struct SupervisionBackfillTests {
    static let replica = ReplicaID(0x5E5E_0000_0000_0026)

    /// The counts of every place of the model, as `store` reads them, equal the model's.
    static func expectCounts(_ store: any SupervisionStore, _ model: SupervisionTests.Model, _ when: String,
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let w = SupervisionTests.window
        let regions = [OpsRegion.city, .county(SupervisionTests.township1.county), .township(SupervisionTests.township1),
                       .township(SupervisionTests.township2)] + SupervisionTests.villages.map(OpsRegion.village)
        for region in regions {
            let grouped = try await store.supervisionCounts(villages: region.villageCodes, placeDivisor: SupervisionTable.placeDivisor(of: region), window: w)
            let expected = model.counts(in: region.villageCodes, w)
            #expect(SupervisionTable(region: region, window: w, grouped: grouped).total == expected, "\(region.name) \(when)", sourceLocation: sourceLocation)
            #expect(expected != SupervisionCounts(), "\(region.name) has something to count", sourceLocation: sourceLocation)
        }
    }

    static func records(_ model: SupervisionTests.Model) -> [ImportRecord] {
        model.households.values.map(ImportRecord.init) + model.members.values.map(ImportRecord.init) + model.leads.values.map(ImportRecord.init)
    }

    @Test("SQLite: the tables dropped and v9-supervision forgotten, reopening backfills every count")
    func sqliteBackfills() async throws {
        let model = SupervisionTests.generate(seed: 29)
        let path = NSTemporaryDirectory() + "doorstep-backfill-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm", ".keys"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var store = try SQLiteSyncStore(path: path)
        let imported = try await SyncEngine(store: store, configuration: .init(serverReplica: Self.replica))
            .importRecords(Self.records(model), by: WorkerID(unchecked: "admin"), now: HTTPFixture.now)
        try #require(imported.rejected.isEmpty)
        try await Self.expectCounts(store, model, "kept by the pushes")
        try await store.close()

        // The file as a server before supervision left it.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE supervision_households; DROP TABLE supervision_leads")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-supervision'")
        }
        try queue.close()

        store = try SQLiteSyncStore(path: path)
        try await Self.expectCounts(store, model, "after the upgrade")
        try await store.close()
    }

    @Test("PostgreSQL: the tables dropped and v7-supervision forgotten, reopening backfills every count", .enabled(if: TestPostgres.url != nil))
    func postgresBackfills() async throws {
        let model = SupervisionTests.generate(seed: 30)
        let location = try TestPostgres.freshLocation()
        let keys = KeyRing.generate()
        var store = try await PostgresSyncStore.open(location, keys: keys)
        let imported = try await SyncEngine(store: store, configuration: .init(serverReplica: Self.replica))
            .importRecords(Self.records(model), by: WorkerID(unchecked: "admin"), now: HTTPFixture.now)
        try #require(imported.rejected.isEmpty)
        try await Self.expectCounts(store, model, "kept by the pushes")
        try await store.write("forget supervision") { c in
            try await c.run("DROP TABLE supervision_households")
            try await c.run("DROP TABLE supervision_leads")
            try await c.run("DELETE FROM schema_migrations WHERE id = 'v7-supervision'")
        }
        try await store.close()

        store = try await PostgresSyncStore.open(location, keys: keys)
        try await Self.expectCounts(store, model, "after the upgrade")
        try await store.close()
    }
}
