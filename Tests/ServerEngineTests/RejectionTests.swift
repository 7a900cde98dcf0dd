import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// One test per rejection reason of SPEC §6: the change is refused with that reason and a
/// message, nothing is acknowledged, and nothing a device, reviewer or auditor sees changes.
@Suite("Rejection reasons")
struct RejectionTests {
    static let a = Fixture.villageA, b = Fixture.villageB

    /// Seeds both villages, lets an assistant of village A pull it, then sends `make`'s batch
    /// (prepared by `prepare` first, whose effects are kept) and checks the last change is
    /// refused with `reason` while the store view is unchanged by it.
    static func expectRejection(_ reason: RejectionReason, backend: StoreBackend, worker: Worker = Fixture.assistant(of: a),
                                prepare: (inout TestDevice, SyncEngine) async throws -> Void = { _, _ in },
                                _ make: (inout TestDevice) -> [Change]) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, a, b)
            var device = TestDevice(worker, replica: 0xD0)
            try await device.syncUntilDone(engine)
            try await prepare(&device, engine)
            let view = try await StoreView.of(engine.store, villages: [a, b])
            let batch = make(&device)
            let response = try await engine.sync(device.request(batch), device: device.context, now: Fixture.now)
            let rejection = try #require(response.rejections.last)
            #expect(rejection.reason == reason.rawValue, "\(rejection.message)")
            #expect(rejection.counter == batch.last!.dot.counter)
            #expect(!rejection.message.isEmpty)
            #expect(response.acked.count + response.rejections.count == batch.count)
            #expect(try await StoreView.of(engine.store, villages: [a, b]) == view)
        }
    }

    static var house: Household { Fixture.household(in: a) }
    static var houseKey: RecordKey { Fixture.key(house) }

    @Test(arguments: StoreBackend.all) func outsideScope(backend: StoreBackend) async throws {
        try await Self.expectRejection(.outsideScope, backend: backend) { d in
            [d.set(Fixture.key(Fixture.household(in: Self.b)), "phone", .text("13900000000"))]
        }
    }

    @Test(arguments: StoreBackend.all) func recusal(backend: StoreBackend) async throws {
        let filing = RelativeFiling(id: Fixture.freshID(1), village: Self.a, staff: Fixture.assistant(of: Self.a).id,
                                    household: Self.house.id, relation: .sibling, filedOn: Fixture.dataset.plan.spec.asOf)
        try await Self.expectRejection(.recusal, backend: backend, prepare: { d, engine in
            let response = try await d.sync(engine, [d.create(filing)])
            #expect(response.acked.count == 1 && response.rejections.isEmpty)
        }) { d in
            [d.set(Self.houseKey, "monthlyIncomeFen", .int(12_000))]
        }
    }

    @Test(arguments: StoreBackend.all) func roleNotAllowed(backend: StoreBackend) async throws {
        try await Self.expectRejection(.roleNotAllowed, backend: backend) { d in
            [d.set(Self.houseKey, "monthlyStandardFen", .int(70_000))]
        }
    }

    @Test(arguments: StoreBackend.all) func invalidValue(backend: StoreBackend) async throws {
        try await Self.expectRejection(.invalidValue, backend: backend) { d in
            [d.set(Self.houseKey, "monthlyIncomeFen", .int(-5))]
        }
    }

    @Test(arguments: StoreBackend.all) func invalidTransition(backend: StoreBackend) async throws {
        try await Self.expectRejection(.invalidTransition, backend: backend) { d in
            let status = Fixture.field(.household, "status")
            let current = d.held[Self.house.id]!.value(status)
            let from = WorkflowStatus(rawValue: current.textValue!)!
            // A step a village assistant may make, but not from here.
            let target = [WorkflowStatus.investigated, .underReview, .applied].first { !Workflow.isAllowed(from: from, to: $0) }!
            return [d.write(.transition(status, from: current, to: .text(target.rawValue)), to: Self.houseKey)]
        }
    }

    @Test(arguments: StoreBackend.all) func immutable(backend: StoreBackend) async throws {
        try await Self.expectRejection(.immutable, backend: backend) { d in
            [d.set(Self.houseKey, "appliedOn", .date(CalendarDate(year: 2025, month: 1, day: 2)!))]
        }
    }

    @Test(arguments: StoreBackend.all) func unknownField(backend: StoreBackend) async throws {
        try await Self.expectRejection(.unknownField, backend: backend) { d in
            [d.write(.set(FieldID(99), .text("?")), to: Self.houseKey)]
        }
    }

    @Test(arguments: StoreBackend.all) func dotReused(backend: StoreBackend) async throws {
        try await Self.expectRejection(.dotReused, backend: backend, prepare: { d, engine in
            let response = try await d.sync(engine, [d.set(Self.houseKey, "notes", .text("first"))])
            #expect(response.acked == [1])
        }) { d in
            d.counter -= 1 // a restored backup numbers its next write as the last one sent
            return [d.set(Self.houseKey, "notes", .text("second"))]
        }
    }

    @Test(arguments: StoreBackend.all) func duplicateCreate(backend: StoreBackend) async throws {
        try await Self.expectRejection(.duplicateCreate, backend: backend) { d in
            // A new application as an assistant may make it, but under an existing household's id.
            var application = Self.house
            application.status = .applied
            application.monthlyStandardFen = 0
            application.monthlyAmountFen = 0
            application.coveredSince = nil
            return [d.create(application)]
        }
    }

    @Test(arguments: StoreBackend.all) func notDeletable(backend: StoreBackend) async throws {
        try await Self.expectRejection(.notDeletable, backend: backend) { d in
            let visit = d.held.values.first { $0.key.collection == .visit }!
            return [d.write(.delete, to: visit.key)]
        }
    }

    @Test(arguments: StoreBackend.all) func wrongRecord(backend: StoreBackend) async throws {
        // A township reviewer may write both villages: the refusal is for moving the record.
        try await Self.expectRejection(.wrongRecord, backend: backend, worker: Fixture.reviewer) { d in
            let moved = RecordKey(.household, Self.house.id, scope: Self.b)
            return [d.write(.set(Fixture.field(.household, "phone"), .text("13900000000")), to: moved,
                            seeing: d.held[Self.house.id]!.version)]
        }
    }

    @Test(arguments: StoreBackend.all) func contextAhead(backend: StoreBackend) async throws {
        try await Self.expectRejection(.contextAhead, backend: backend) { d in
            var forged = d.held[Self.house.id]!.version
            forged.add(Dot(ReplicaID(0xBAD), 99))
            return [d.write(.set(Fixture.field(.household, "phone"), .text("13900000000")), to: Self.houseKey, seeing: forged)]
        }
    }

    @Test(arguments: StoreBackend.all) func contextRegressed(backend: StoreBackend) async throws {
        try await Self.expectRejection(.contextRegressed, backend: backend, prepare: { d, engine in
            let response = try await d.sync(engine, [d.set(Self.houseKey, "notes", .text("first"))])
            #expect(response.acked.count == 1)
        }) { d in
            // The device's own applied write is left out of the context it claims to have seen.
            let before = d.held[Self.house.id]!.version
            return [d.write(.set(Fixture.field(.household, "phone"), .text("13900000000")), to: Self.houseKey, seeing: VersionVector(before.entries.filter { $0.replica != d.replica }.map { ($0.replica, $0.counter) }))]
        }
    }

    @Test(arguments: StoreBackend.all) func counterRegressed(backend: StoreBackend) async throws {
        try await Self.expectRejection(.counterRegressed, backend: backend, prepare: { d, engine in
            d.counter = 9
            let response = try await d.sync(engine, [d.set(Self.houseKey, "notes", .text("at ten"))])
            #expect(response.acked == [10])
        }) { d in
            d.counter = 4
            return [d.set(Self.houseKey, "notes", .text("at five"))]
        }
    }

    @Test(arguments: StoreBackend.all) func clockAhead(backend: StoreBackend) async throws {
        try await Self.expectRejection(.clockAhead, backend: backend) { d in
            [d.write(.set(Fixture.field(.household, "notes"), .text("from the future")), to: Self.houseKey,
                     hlc: HLCTimestamp(milliseconds: Fixture.now + 25 * 3_600_000, logical: 0))]
        }
    }

    @Test(arguments: StoreBackend.all) func unknownSchemaVersion(backend: StoreBackend) async throws {
        try await Self.expectRejection(.unknownSchemaVersion, backend: backend) { d in
            [d.write(.set(Fixture.field(.household, "notes"), .text("old")), to: Self.houseKey,
                     schemaVersion: Schema.oldestSupportedVersion - 1)]
        }
    }

    @Test(arguments: StoreBackend.all) func authorMismatch(backend: StoreBackend) async throws {
        try await Self.expectRejection(.authorMismatch, backend: backend) { d in
            [d.write(.set(Fixture.field(.household, "notes"), .text("signed by another")), to: Self.houseKey,
                     author: Fixture.reviewer.id)]
        }
    }

    @Test(arguments: StoreBackend.all) func unknownRecord(backend: StoreBackend) async throws {
        try await Self.expectRejection(.unknownRecord, backend: backend) { d in
            [d.write(.set(Fixture.field(.household, "notes"), .text("nobody")), to: RecordKey(.household, Fixture.freshID(7), scope: Self.a))]
        }
    }

    @Test("every reason of SPEC §6 has a test above, and SPEC.md lists every reason")
    func reasonsAreDocumented() throws {
        let spec = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/ServerEngineTests/RejectionTests.swift", with: "protocol/SPEC.md"), encoding: .utf8)
        for reason in RejectionReason.allCases {
            #expect(spec.contains("| `\(reason.rawValue)` |"), "SPEC.md §6 lacks \(reason.rawValue)")
        }
    }
}
