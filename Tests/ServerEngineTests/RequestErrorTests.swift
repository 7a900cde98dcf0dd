import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// Errors of a whole request (SPEC §7): thrown with a stable code and a message naming the
/// values, and nothing changes — not even a processed dot.
@Suite("Request-level errors and the scope budget")
struct RequestErrorTests {
    static let a = Fixture.villageA

    static func expectRefused(_ code: SyncEngineError.Code, backend: StoreBackend, naming: String,
                              configure: (inout SyncEngine.Configuration) -> Void = { _ in },
                              _ edit: (inout SyncRequest, inout DeviceContext) -> Void) async throws {
        try await withEngine(backend, configure: configure) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xB1)
            var request = device.request([device.set(Fixture.key(Fixture.household(in: Self.a)), "phone", .text("13300000000"))])
            var context = device.context
            edit(&request, &context)
            let hash = try await engine.store.stateHash()
            let error = await #expect(throws: SyncEngineError.self) {
                try await engine.sync(request, device: context, now: Fixture.now)
            }
            #expect(error?.code == code)
            #expect(error?.message.contains(naming) == true, "\(error?.message ?? "")")
            #expect(try await engine.store.stateHash() == hash)
        }
    }

    @Test(arguments: StoreBackend.all) func replicaMismatch(backend: StoreBackend) async throws {
        try await Self.expectRefused(.replicaMismatch, backend: backend, naming: "00000000000000b2") { _, context in
            context.replica = ReplicaID(0xB2)
        }
    }

    @Test(arguments: StoreBackend.all) func serverReplicaOnADevice(backend: StoreBackend) async throws {
        try await Self.expectRefused(.replicaMismatch, backend: backend, naming: "the server's own") { request, context in
            context.replica = Fixture.serverReplica
            request.replica = Fixture.serverReplica
            request.changes = []
        }
    }

    @Test(arguments: StoreBackend.all) func foreignDotInBatch(backend: StoreBackend) async throws {
        try await Self.expectRefused(.replicaMismatch, backend: backend, naming: "00000000000000b3:1") { request, _ in
            let c = request.changes[0]
            request.changes[0] = Change(dot: Dot(ReplicaID(0xB3), 1), record: c.record, operation: c.operation, context: c.context,
                                        hlc: c.hlc, author: c.author)
        }
    }

    @Test(arguments: StoreBackend.all) func schemaTooNew(backend: StoreBackend) async throws {
        try await Self.expectRefused(.schemaTooNew, backend: backend, naming: "\(Schema.version + 1)") { request, _ in
            request.schemaVersion = Schema.version + 1
        }
    }

    @Test(arguments: StoreBackend.all) func unsupportedProtocol(backend: StoreBackend) async throws {
        try await Self.expectRefused(.unsupportedProtocol, backend: backend, naming: "3") { request, _ in
            request.protocolVersion = 3
        }
    }

    @Test(arguments: StoreBackend.all) func scopeBlocked(backend: StoreBackend) async throws {
        let size = Fixture.seed(Self.a).count
        try await Self.expectRefused(.scopeBlocked, backend: backend, naming: "\(size) records",
                                     configure: { $0.scopeWarningRecords = size / 2; $0.scopeBlockingRecords = size - 1 }) { _, _ in }
    }

    @Test("over the warning level: served, with a scope_budget_warning", arguments: StoreBackend.all)
    func scopeWarning(backend: StoreBackend) async throws {
        let size = Fixture.seed(Self.a).count
        try await withEngine(backend, configure: { $0.scopeWarningRecords = size - 1; $0.scopeBlockingRecords = size }) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xB4)
            let response = try await device.sync(engine)
            #expect(response.warnings.map(\.code) == ["scope_budget_warning"])
            #expect(response.warnings.first?.message.contains("\(size) records") == true)
            #expect(!response.page.isEmpty)
        }
    }
}
