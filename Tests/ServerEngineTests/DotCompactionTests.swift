import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// The retention forgets a processed dot only once it is past the horizon and its device has
/// moved past it (sent a batch starting above it): an unacknowledged batch re-sent after any
/// time is still answered as before, and a forgotten dot sent again is refused, never applied twice.
@Suite("Processed dots are forgotten only when no device can still send them")
struct DotCompactionTests {
    static let a = Fixture.villageA
    static let day: Int64 = 86_400_000

    @Test(arguments: StoreBackend.all)
    func aBatchWhoseAnswerWasLostIsAnsweredAlikeLongAfterAndAForgottenDotIsRefused(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let store = try #require(engine.store as? any RetentionStore)
            let horizon = engine.configuration.tombstoneHorizonMilliseconds
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xC1)
            try await device.syncUntilDone(engine)
            let houses = Fixture.households(in: Self.a)
            let first = [device.set(Fixture.key(houses[0]), "phone", .text("13700000001")),
                         device.set(Fixture.key(houses[1]), "monthlyIncomeFen", .int(45_000))]
            // Committed; the answer never reaches the device, which then stays away past the horizon.
            _ = try await engine.sync(device.request(first), device: device.context, now: Fixture.now)
            let later = Fixture.now + horizon + 30 * Self.day
            // The seed's own dots go (its later batches moved past them); the device's, which it may still send, stay.
            _ = try await store.compactProcessedDots(decidedBefore: later - horizon)
            let again = try await engine.sync(device.request(first), device: device.context, now: later)
            #expect(again.acked == [1, 2] && again.rejections.isEmpty, "the lost answer, given again")

            // The device moves on: its next batch starts above them, so they can be forgotten.
            let next = [device.set(Fixture.key(houses[2]), "phone", .text("13700000003"))]
            _ = try await engine.sync(device.request(next), device: device.context, now: later)
            #expect(try await store.compactProcessedDots(decidedBefore: later - horizon) == 2)
            let beyond = try await store.compactProcessedDots(decidedBefore: later + horizon)
            #expect(beyond == 0, "dot 3 is not passed yet, got \(beyond)")

            let audit = try await engine.store.auditEntries(replica: device.replica, limit: 100)
            let replay = try await engine.sync(device.request([first[1]]), device: device.context, now: later + Self.day)
            #expect(replay.acked.isEmpty && replay.rejections.map(\.reason) == ["counter_regressed"], "\(replay.rejections)")
            #expect(try await engine.store.auditEntries(replica: device.replica, limit: 100) == audit, "nothing applied twice")
        }
    }
}
