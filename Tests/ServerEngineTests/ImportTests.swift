import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// `importRecords`: the administrator's roster load, in batches, validated but not scoped.
@Suite("Import")
struct ImportTests {
    static let a = Fixture.villageA

    /// Every record of village A, filings and notices included.
    static var wholeVillage: [ImportRecord] {
        let d = Fixture.dataset
        var out: [ImportRecord] = d.households.filter { $0.village == a }.map(ImportRecord.init)
        out += d.members.filter { $0.village == a }.map(ImportRecord.init)
        out += d.visits.filter { $0.village == a }.map(ImportRecord.init)
        out += d.leads.filter { $0.village == a }.map(ImportRecord.init)
        out += d.filings.filter { $0.village == a }.map(ImportRecord.init)
        out += d.notices.filter { $0.village == a }.map(ImportRecord.init)
        return out
    }

    @Test("a whole village imports in batches; invalid and repeated records are refused", arguments: StoreBackend.all)
    func importVillage(backend: StoreBackend) async throws {
        try await withEngine(backend, configure: { $0.importBatchSize = 100 }) { engine in
            var records = Self.wholeVillage
            var broken = Fixture.household(in: Self.a)
            broken.id = Fixture.freshID(30)
            broken.assetsFen = -100
            records.append(ImportRecord(broken))

            let result = try await engine.importRecords(records, by: Fixture.admin, now: Fixture.now)
            #expect(result.created == records.count - 1)
            #expect(result.rejected.map(\.key.id) == [broken.id] && result.rejected.first?.reason == .invalidValue)
            #expect(try await engine.store.recordCount(villages: [Self.a]) == records.count - 1)
            let audit = try await engine.store.auditEntries(limit: 100_000)
            #expect(audit.count == records.count - 1)
            #expect(audit.allSatisfy { $0.worker == Fixture.admin && $0.dot.replica == Fixture.serverReplica && $0.action == .create })

            let again = try await engine.importRecords(Array(records.prefix(10)), by: Fixture.admin, now: Fixture.now)
            #expect(again.created == 0 && again.rejected.allSatisfy { $0.reason == .duplicateCreate })
        }
    }

    @Test("imported filings bind their staff: a recused review visit is refused", arguments: StoreBackend.all)
    func importedFilingsBind(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            #expect(try await engine.importRecords(Self.wholeVillage, by: Fixture.admin, now: Fixture.now).rejected.isEmpty)
            // A filing whose staff may write the village: their own eligibility visit is refused.
            let filing = try #require(Fixture.dataset.filings.first { f in
                f.village == Self.a && f.staff.map { Jurisdiction(Fixture.worker($0)).canWrite(f.village) } == true
            })
            var device = TestDevice(Fixture.worker(filing.staff!), replica: 0x1F)
            try await device.syncUntilDone(engine)
            var visit = Fixture.dataset.visits.first { $0.village == Self.a }!
            visit.id = Fixture.freshID(31)
            visit.householdID = filing.household
            visit.kind = .annualReview
            visit.worker = filing.staff!
            visit.corrects = nil
            var screening = visit
            screening.id = Fixture.freshID(32)
            screening.kind = .screening
            let response = try await device.sync(engine, [device.create(visit), device.create(screening)])
            #expect(response.rejections.map(\.reason) == ["recusal"])
            #expect(response.acked == [2], "a screening visit is not an eligibility visit")
        }
    }

    @Test("a visit placed in another village than its household's is refused", arguments: StoreBackend.all)
    func visitFollowsItsHousehold(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a, Fixture.villageB)
            var device = TestDevice(Fixture.reviewer, replica: 0x2F)
            var visit = Fixture.dataset.visits.first { $0.village == Self.a && $0.kind == .screening }!
            visit.id = Fixture.freshID(33)
            visit.village = Fixture.villageB
            visit.worker = Fixture.reviewer.id
            let response = try await device.sync(engine, [device.create(visit)])
            #expect(response.rejections.map(\.reason) == ["wrong_record"])
        }
    }
}
