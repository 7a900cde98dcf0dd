import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// DESIGN §5, "Exactly once": a batch is applied atomically; a replayed dot is acknowledged and
/// does nothing; a lost response costs one re-sent batch, never a duplicate.
@Suite("Exactly once")
struct ExactlyOnceTests {
    static let a = Fixture.villageA

    /// A batch of creates and sets by an assistant of village A, one of them refused.
    static func batch(_ device: inout TestDevice) -> [Change] {
        let houses = Fixture.households(in: a)
        var visit = Fixture.dataset.visits.first { $0.village == a && $0.kind == .screening }!
        visit.id = Fixture.freshID(40)
        visit.worker = device.worker.id
        return [
            device.set(Fixture.key(houses[0]), "phone", .text("13700000001")),
            device.set(Fixture.key(houses[1]), "monthlyIncomeFen", .int(45_000)),
            device.create(visit),
            device.set(Fixture.key(houses[2]), "monthlyIncomeFen", .int(-1)),
        ]
    }

    @Test("the same batch twice: all acknowledged again, nothing applied twice", arguments: StoreBackend.all)
    func sameBatchTwice(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xE1)
            try await device.syncUntilDone(engine)
            let changes = Self.batch(&device)
            let first = try await engine.sync(device.request(changes), device: device.context, now: Fixture.now)
            #expect(first.acked == [1, 2, 3])
            #expect(first.rejections.map(\.reason) == ["invalid_value"])
            let audit = try await engine.store.auditEntries(limit: 10_000).count
            let view = try await StoreView.of(engine.store, villages: [Self.a])
            let hash = try await engine.store.stateHash()

            let second = try await engine.sync(device.request(changes), device: device.context, now: Fixture.now + 5_000)
            #expect(second.acked == first.acked)
            #expect(second.rejections == first.rejections, "a refused dot is refused again with the same reason")
            #expect(try await engine.store.auditEntries(limit: 10_000).count == audit)
            #expect(try await StoreView.of(engine.store, villages: [Self.a]) == view)
            #expect(try await engine.store.stateHash() == hash, "a replay writes nothing at all")
        }
    }

    @Test("a response lost after the commit: the re-sent batch is acknowledged and applied once", arguments: StoreBackend.all)
    func lostResponse(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xE2)
            try await device.syncUntilDone(engine)
            let changes = Self.batch(&device)
            let auditBefore = try await engine.store.auditEntries(limit: 10_000).count

            // The server commits; the connection drops before the device reads the answer.
            _ = try await engine.sync(device.request(changes), device: device.context, now: Fixture.now)
            let cursors = device.cursors

            let resent = try await device.sync(engine, changes, now: Fixture.now + 60_000)
            #expect(resent.acked == [1, 2, 3])
            #expect(resent.rejections.map(\.counter) == [4])
            #expect(try await engine.store.auditEntries(limit: 10_000).count == auditBefore + 3)
            // The page brings each changed record once, in its single new state.
            #expect(resent.page.count == 3)
            #expect(Set(resent.page.map(\.key.id)).count == 3)
            #expect(resent.cursors[Self.a]! > cursors[Self.a]!)
            let phone = device.held[Fixture.household(in: Self.a, 0).id]!.fields[Fixture.field(.household, "phone")]!
            #expect(phone.siblings.count == 1 && phone.siblings[0].dot == changes[0].dot)
        }
    }
}
