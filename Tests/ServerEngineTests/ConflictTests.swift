import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// Concurrent writes on the server: review conflicts wait for a reviewer, whose resolution is a
/// server write; `lww` conflicts resolve themselves and are logged.
@Suite("Conflicts")
struct ConflictTests {
    static let a = Fixture.villageA
    static let income = Fixture.field(.household, "monthlyIncomeFen")
    static let status = Fixture.field(.household, "status")

    /// An assistant and the township reviewer, both holding village A.
    static func twoDevices(_ engine: SyncEngine) async throws -> (TestDevice, TestDevice) {
        try await Fixture.seed(engine, a)
        var assistant = TestDevice(Fixture.assistant(of: a), replica: 0xC1)
        var reviewer = TestDevice(Fixture.reviewer, replica: 0xC2)
        try await assistant.syncUntilDone(engine)
        try await reviewer.syncUntilDone(engine)
        return (assistant, reviewer)
    }

    @Test("a village assistant cannot resolve a review conflict; a reviewer's device can", arguments: StoreBackend.all)
    func onlyReviewersResolve(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            var (assistant, reviewer) = try await Self.twoDevices(engine)
            let key = Fixture.key(Fixture.household(in: Self.a))
            let one = assistant.set(key, "monthlyIncomeFen", .int(41_000))
            let two = reviewer.set(key, "monthlyIncomeFen", .int(39_000))
            _ = try await assistant.sync(engine, [one])
            _ = try await reviewer.sync(engine, [two])
            _ = try await assistant.syncUntilDone(engine)
            _ = try await reviewer.syncUntilDone(engine)

            let overrule = assistant.set(key, "monthlyIncomeFen", .int(45_000))
            let refused = try await assistant.sync(engine, [overrule])
            #expect(refused.rejections.map(\.reason) == [RejectionReason.roleNotAllowed.rawValue])
            #expect(try await engine.store.record(key)?.fields[Self.income]?.siblings.count == 2)

            let decision = reviewer.set(key, "monthlyIncomeFen", .int(40_000))
            #expect(try await reviewer.sync(engine, [decision]).acked == [decision.dot.counter])
            let resolved = try #require(try await engine.store.record(key))
            #expect(!resolved.needsReview && resolved.value(Self.income) == .int(40_000))
        }
    }

    @Test("concurrent review values flag the record; the reviewer's resolution supersedes them all", arguments: StoreBackend.all)
    func reviewConflictResolved(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            var (assistant, reviewer) = try await Self.twoDevices(engine)
            let house = Fixture.household(in: Self.a)
            let key = Fixture.key(house)
            let one = assistant.set(key, "monthlyIncomeFen", .int(41_000))
            let two = reviewer.set(key, "monthlyIncomeFen", .int(39_000))
            #expect(try await assistant.sync(engine, [one]).acked == [one.dot.counter])
            #expect(try await reviewer.sync(engine, [two]).acked == [two.dot.counter])

            let open = try await engine.store.openConflicts(villages: [Self.a])
            #expect(open.map(\.key.id) == [house.id])
            #expect(open.first?.conflictedFields == [Self.income])
            let flagged = try #require(try await engine.store.conflictLog(limit: 10).last)
            #expect(flagged.kind == .needsReview && flagged.field == Self.income && Set(flagged.dots) == [one.dot, two.dot])

            let outcome = try await engine.resolveConflict(key, field: Self.income, value: .int(40_000), by: Fixture.reviewer,
                                                           now: Fixture.now + 1_000)
            #expect(outcome.status == .applied)
            #expect(outcome.dot.replica == Fixture.serverReplica)
            let resolved = try #require(try await engine.store.record(key))
            #expect(!resolved.needsReview && resolved.value(Self.income) == .int(40_000))
            #expect(resolved.fields[Self.income]?.siblings.count == 1)
            #expect(try await engine.store.openConflicts(villages: [Self.a]).isEmpty)
            let closed = try #require(try await engine.store.conflictLog(limit: 10).last)
            #expect(closed.kind == .resolved && closed.winner == outcome.dot)
            let audit = try #require(try await engine.store.auditEntries(limit: 1).last)
            #expect(audit.worker == Fixture.reviewer.id && audit.deviceID == "server" && audit.action == .set(Self.income))

            // Devices converge on the resolution.
            try await assistant.syncUntilDone(engine)
            #expect(assistant.held[house.id]?.value(Self.income) == .int(40_000))
        }
    }

    @Test("a resolution is checked like any write: wrong role, wrong scope", arguments: StoreBackend.all)
    func resolutionIsChecked(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            let key = Fixture.key(Fixture.household(in: Self.a))
            let standard = Fixture.field(.household, "monthlyStandardFen")
            let byAssistant = try await engine.resolveConflict(key, field: standard, value: .int(60_000),
                                                               by: Fixture.assistant(of: Self.a), now: Fixture.now)
            #expect(byAssistant.rejectionReason == .roleNotAllowed)
            let elsewhere = Worker(id: WorkerID(unchecked: "tr-other"), name: "王芳", role: .townshipReviewer,
                                   assignment: Assignment(townships: [Fixture.villageElsewhere.township]))
            let outside = try await engine.resolveConflict(key, field: standard, value: .int(60_000), by: elsewhere, now: Fixture.now)
            #expect(outside.rejectionReason == .outsideScope)
            let unknown = try await engine.resolveConflict(RecordKey(.household, Fixture.freshID(9), scope: Self.a), field: standard,
                                                           value: .int(60_000), by: Fixture.reviewer, now: Fixture.now)
            #expect(unknown.rejectionReason == .unknownRecord)
        }
    }

    @Test("concurrent workflow steps wait for review; keeping one of them resolves the conflict", arguments: StoreBackend.all)
    func workflowConflictResolved(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            var house = Fixture.household(in: Self.a)
            house.id = Fixture.freshID(20)
            house.status = .investigated
            #expect(try await engine.importRecords([ImportRecord(house)], by: Fixture.admin, now: Fixture.now).created == 1)
            // Two township reviewers decide the same household offline: one reviews it, one declines it.
            var reviewer = TestDevice(Fixture.reviewer, replica: 0xC3)
            var colleague = TestDevice(Worker(id: WorkerID(unchecked: "tr-colleague"), name: "孙审核", role: .townshipReviewer,
                                              assignment: Fixture.reviewer.assignment), replica: 0xC4)
            try await reviewer.syncUntilDone(engine)
            try await colleague.syncUntilDone(engine)
            let key = Fixture.key(house)
            let from = FieldValue.text("investigated")
            let reviewed = reviewer.write(.transition(Self.status, from: from, to: .text("townshipReviewed")), to: key)
            let declined = colleague.write(.transition(Self.status, from: from, to: .text("declined")), to: key)
            #expect(try await reviewer.sync(engine, [reviewed]).acked.count == 1)
            #expect(try await colleague.sync(engine, [declined]).acked.count == 1)
            #expect(try await engine.store.record(key)?.conflictedFields == [Self.status])

            let outcome = try await engine.resolveConflict(key, field: Self.status, value: .text("townshipReviewed"),
                                                           by: Fixture.reviewer, now: Fixture.now + 1_000)
            #expect(outcome.status == .applied, "\(outcome)")
            let state = try #require(try await engine.store.record(key))
            #expect(!state.needsReview && state.value(Self.status) == .text("townshipReviewed"))
        }
    }

    @Test("concurrent lww writes resolve themselves, and the loser is logged", arguments: StoreBackend.all)
    func lwwAutoResolutionLogged(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            var (assistant, reviewer) = try await Self.twoDevices(engine)
            let key = Fixture.key(Fixture.household(in: Self.a))
            let early = assistant.write(.set(Fixture.field(.household, "phone"), .text("13100000000")), to: key,
                                        hlc: HLCTimestamp(milliseconds: Fixture.now - 10_000, logical: 0))
            let late = reviewer.write(.set(Fixture.field(.household, "phone"), .text("13200000000")), to: key,
                                      hlc: HLCTimestamp(milliseconds: Fixture.now - 5_000, logical: 0))
            try await reviewer.sync(engine, [late])
            try await assistant.sync(engine, [early])
            let state = try #require(try await engine.store.record(key))
            #expect(!state.needsReview && state.value(Fixture.field(.household, "phone")) == .text("13200000000"))
            let entry = try #require(try await engine.store.conflictLog(limit: 5).last)
            #expect(entry.kind == .autoResolved && entry.winner == late.dot && entry.dots == [early.dot] && entry.cause == early.dot)
            #expect(try await engine.store.openConflicts(villages: [Self.a]).isEmpty)
        }
    }
}
