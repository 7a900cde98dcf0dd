import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// SPEC §5.1 on both stores: a page gives each record its handle, a push naming a record by a
/// handle the store holds is applied to that record, and one naming a stale handle is refused
/// `unknown_handle` with every later change, recording nothing, so the resend by id is applied once.
@Suite("Record handles")
struct RecordHandleTests {
    static let a = Fixture.villageA

    /// The request as it arrives on the wire: version 2, the records named by `handles`.
    static func arriving(_ request: SyncRequest, handles: [RecordID: UInt64]) throws -> SyncRequest {
        var request = request
        request.recordHandles = handles
        return try SyncCodec.decodeRequest(SyncCodec.encodeRequest(request))
    }

    @Test(arguments: StoreBackend.all)
    func aStaleHandleRefusesItsChangeAndTheLaterOnesAndTheResendByIdIsAppliedOnce(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xE7)
            var handles: [RecordID: UInt64] = [:]
            for response in try await device.syncUntilDone(engine) {
                #expect(response.pageHandles.count == response.page.count && !response.pageHandles.contains(0))
                for (state, handle) in zip(response.page, response.pageHandles) { handles[state.key.id] = handle }
            }
            let houses = Fixture.households(in: Self.a)
            let changes = [
                device.set(Fixture.key(houses[0]), "phone", .text("13700000001")),
                device.set(Fixture.key(houses[1]), "phone", .text("13700000002")),
                device.set(Fixture.key(houses[2]), "phone", .text("13700000003")),
            ]
            var named = handles
            named[houses[1].id] = 1 << 40   // a handle no record holds: as one gone stale
            let request = try Self.arriving(device.request(changes), handles: named)
            #expect(request.unresolvedHandles.count == 3, "every household named by its handle")
            let auditBefore = try await engine.store.auditEntries(limit: 10_000).count

            let first = try await engine.sync(request, device: device.context, now: Fixture.now)
            #expect(first.acked == [1])
            #expect(first.rejections.map(\.counter) == [2, 3] && first.rejections.allSatisfy { $0.reason == "unknown_handle" },
                    "\(first.rejections)")
            #expect(try await engine.store.auditEntries(limit: 10_000).count == auditBefore + 1, "nothing of the refused two is recorded")
            let moved = try #require(first.page.firstIndex { $0.key.id == houses[0].id })
            #expect(first.pageHandles[moved] != handles[houses[0].id], "the written record has a new handle")

            // The device sends the two again, by id: applied, each once, with no counter regressed.
            let second = try await engine.sync(device.request(Array(changes.dropFirst())), device: device.context, now: Fixture.now)
            #expect(second.acked == [2, 3] && second.rejections.isEmpty, "\(second.rejections)")
            for (house, phone) in zip(houses.prefix(3), ["13700000001", "13700000002", "13700000003"]) {
                let state = try #require(try await engine.store.record(Fixture.key(house)))
                #expect(state.value(Schema.household.id("phone")) == .text(phone))
            }
            #expect(try await engine.store.auditEntries(limit: 10_000).count == auditBefore + 3)
        }
    }

    @Test(arguments: StoreBackend.all)
    func aVersion1RequestIsAnsweredInVersion1WithoutHandles(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            let device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xE8)
            var request = device.request([])
            request.protocolVersion = 1
            let response = try await engine.sync(try SyncCodec.decodeRequest(SyncCodec.encodeRequest(request)), device: device.context, now: Fixture.now)
            #expect(response.protocolVersion == 1 && !response.page.isEmpty)
            let received = try SyncCodec.decodeResponse(SyncCodec.encodeResponse(response))
            #expect(received.protocolVersion == 1 && received.pageHandles.isEmpty && received.page.count == response.page.count)
        }
    }
}
