import FieldModel
import ServerEngine
import SyncCore
import Testing

/// The `SyncStore` contract, written against `any SyncStore` and run on every backend in
/// `StoreBackend.all`: paging, digests, purge, processed dots, atomicity and the state hash.
@Suite("SyncStore conformance")
struct StoreConformanceTests {
    static let a = Fixture.villageA, b = Fixture.villageB

    /// Pushes every household of both villages in batches of 40; returns the households.
    static func fill(_ store: any SyncStore, _ maker: inout ChangeMaker) async throws -> [Household] {
        let households = Fixture.households(in: a) + Fixture.households(in: b)
        for start in stride(from: 0, to: households.count, by: 40) {
            let changes = households[start..<min(start + 40, households.count)].map { maker.create($0) }
            try await store.pushMerged(try maker.input(changes))
        }
        return households
    }

    /// Pulls both villages to the end with `limit`, checking every page's order; returns the
    /// states in delivery order and the final cursors.
    static func pullAll(_ store: any SyncStore, from start: [VillageCode: UInt64], limit: Int) async throws -> ([RecordState], [VillageCode: UInt64], PullPage) {
        var cursors = start, delivered: [RecordState] = []
        while true {
            let page = try await store.pull(cursors, limit: limit)
            #expect(page.records.count <= limit)
            delivered += page.records
            cursors = cursors.mapValues { max($0, page.watermark) }
            if !page.hasMore { return (delivered, cursors, page) }
            #expect(page.records.count == limit, "a page with more waiting is full")
            #expect(page.digests.isEmpty, "digests come with the last page only")
        }
    }

    @Test("paged pull delivers every record once, in sequence order; a changed record comes again", arguments: StoreBackend.all)
    func paging(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA1)
            let households = try await Self.fill(store, &maker)
            let (delivered, cursors, _) = try await Self.pullAll(store, from: [Self.a: 0, Self.b: 0], limit: 7)
            #expect(delivered.count == households.count)
            #expect(Set(delivered.map(\.key.id)) == Set(households.map(\.id)))
            // Sequence order is push order here: each batch's records in order.
            #expect(delivered.map(\.key.id) == households.map(\.id))

            let changed = households[3]
            let write = maker.make(.set(Fixture.field(.household, "phone"), .text("13800000000")), Fixture.key(changed),
                                   seeing: delivered[3].version)
            try await store.pushMerged(try maker.input([write]))
            let (again, _, last) = try await Self.pullAll(store, from: cursors, limit: 7)
            #expect(again.map(\.key.id) == [changed.id])
            #expect(again.first?.value(Fixture.field(.household, "phone")) == .text("13800000000"))
            #expect(last.digests.keys.sorted() == [Self.a, Self.b])
        }
    }

    @Test("a village's digest is the digest of its pulled live states", arguments: StoreBackend.all)
    func digests(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA2)
            let households = try await Self.fill(store, &maker)
            let stored = try await store.pull([Self.a: 0], limit: 10_000).records
            let deletes = stored.prefix(5).map { maker.make(.delete, $0.key, seeing: $0.version) }
            // The store hands the plan the digest it keeps with each state (taken out of the
            // village digest when the record changes): it must be the state's own.
            let input = try maker.input(deletes)
            try await store.push(input) { snapshot in
                #expect(snapshot.storedDigests.count == deletes.count, "a digest for every stored record")
                #expect(snapshot.storedDigests.allSatisfy { snapshot.records[$0.key]?.digest == $0.value })
                return mergeEverything(input)(snapshot)
            }

            let (delivered, _, last) = try await Self.pullAll(store, from: [Self.a: 0, Self.b: 0], limit: 50)
            for village in [Self.a, Self.b] {
                let live = delivered.filter { $0.key.scope == village && !$0.isDeleted }
                #expect(last.digests[village] == ScopeDigest.of(live))
            }
            #expect(last.digests[Self.a]?.recordCount == households.filter { $0.village == Self.a }.count - 5)
            #expect(try await store.recordCount(villages: [Self.a, Self.b]) == households.count - 5)
        }
    }

    @Test("purge removes old tombstones, raises purgedThrough and leaves digests as they were", arguments: StoreBackend.all)
    func purge(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA3)
            _ = try await Self.fill(store, &maker)
            let stored = try await store.pull([Self.a: 0], limit: 10_000).records
            let deletes = stored.prefix(4).map { maker.make(.delete, $0.key, seeing: $0.version) }
            let pushed = try await store.push(try maker.input(deletes, now: Fixture.now), plan: mergeEverything(try maker.input(deletes)))
            let before = try await store.pull([Self.a: 0, Self.b: 0], limit: 10_000)
            #expect(try await store.purgedThrough() == 0)

            #expect(try await store.purgeTombstones(deletedBefore: Fixture.now) == 0, "deletions are not older than now")
            #expect(try await store.purgeTombstones(deletedBefore: Fixture.now + 1) == 4)
            #expect(try await store.purgeMark() == PurgeMark(generation: 1, sequence: pushed.lastSequence))
            let after = try await store.pull([Self.a: 0, Self.b: 0], limit: 10_000)
            #expect(after.purgeMark == PurgeMark(generation: 1, sequence: pushed.lastSequence))
            #expect(after.records.count == before.records.count - 4)
            #expect(after.digests == before.digests)
            #expect(try await store.record(deletes[0].record) == nil)
            #expect(try await store.purgeTombstones(deletedBefore: Fixture.now + 1) == 0)
            #expect(try await store.purgeMark().generation == 1, "a purge that removes nothing is no new generation")
        }
    }

    @Test("processed dots and the replica's highest counter reach the next snapshot", arguments: StoreBackend.all)
    func processedDots(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA4)
            let households = Fixture.households(in: Self.a)
            let first = [maker.create(households[0]), maker.create(households[1])]
            try await store.pushMerged(try maker.input(first))
            let rejected = maker.make(.delete, Fixture.key(households[1]))
            let input = try maker.input([rejected])
            try await store.push(input) { _ in
                PushPlan(outcomes: [PushOutcome(dot: rejected.dot, status: .rejected(.contextAhead, "test"))],
                         processed: [(rejected.dot, ProcessedDot(digest: rejected.contentDigest, verdict: .rejected(.contextAhead, "test")))])
            }
            let probe = try maker.input(first + [rejected])
            let seen = try await store.push(probe) { snapshot in
                #expect(snapshot.highestProcessedCounter == 3)
                #expect(snapshot.processed[first[0].dot] == ProcessedDot(digest: first[0].contentDigest, verdict: .acknowledged))
                #expect(snapshot.processed[rejected.dot]?.verdict == .rejected(.contextAhead, "test"))
                #expect(snapshot.records.count == 2)
                return PushPlan()
            }
            #expect(seen.recordsWritten == 0)
        }
    }

    @Test("a plan that throws leaves nothing behind", arguments: StoreBackend.all)
    func atomicity(backend: StoreBackend) async throws {
        struct PlanFailed: Error {}
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA5)
            _ = try await Self.fill(store, &maker)
            let hash = try await store.stateHash()
            let changes = Fixture.households(in: Self.a).prefix(3).map { h in
                maker.make(.set(Fixture.field(.household, "notes"), .text("x")), Fixture.key(h))
            }
            let input = try maker.input(changes)
            await #expect(throws: PlanFailed.self) {
                try await store.push(input) { _ in throw PlanFailed() }
            }
            // A plan whose writes fail half-way (a processed dot inserted twice) rolls back too.
            let twice = mergeEverything(input)
            await #expect(throws: SyncEngineError.self) {
                try await store.push(input) { snapshot in
                    var plan = twice(snapshot)
                    plan.processed.append(plan.processed[0])
                    return plan
                }
            }
            #expect(try await store.stateHash() == hash)
        }
    }

    @Test("stateHash is stable across reads and changed by writes", arguments: StoreBackend.all)
    func stateHash(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let empty = try await store.stateHash()
            var maker = ChangeMaker(0xA6)
            _ = try await Self.fill(store, &maker)
            let filled = try await store.stateHash()
            #expect(filled != empty)
            _ = try await store.pull([Self.a: 0, Self.b: 0], limit: 100)
            _ = try await store.villages(coveredBy: Fixture.reviewer.assignment)
            _ = try await store.auditEntries(limit: 10)
            #expect(try await store.stateHash() == filled)
            _ = try await store.allocateServerCounters(1)
            #expect(try await store.stateHash() != filled)
        }
    }

    @Test("villages, counters and record lookups", arguments: StoreBackend.all)
    func bookkeeping(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var maker = ChangeMaker(0xA7)
            let households = try await Self.fill(store, &maker)
            let township = Assignment(townships: [Self.a.township])
            #expect(try await store.villages(coveredBy: township) == [Self.a, Self.b].sorted())
            try await store.registerVillages([Self.a.township.village(7)])
            #expect(try await store.villages(coveredBy: township).count == 3)
            #expect(try await store.villages(coveredBy: Assignment(counties: [Self.a.county])).count == 3)
            #expect(try await store.villages(coveredBy: Assignment(villages: [Fixture.villageElsewhere])) == [Fixture.villageElsewhere])
            #expect(try await store.villages(coveredBy: Assignment()) == [])

            let r1 = try await store.allocateServerCounters(3)
            let r2 = try await store.allocateServerCounters(2)
            #expect(r1 == 1...3 && r2 == 4...5)
            await #expect(throws: SyncEngineError.self) { try await store.allocateServerCounters(0) }

            let h = households[0]
            #expect(try await store.record(Fixture.key(h))?.values == h.fieldValues)
            #expect(try await store.record(RecordKey(.member, h.id, scope: h.village)) == nil, "same id, other collection")
            #expect(try await store.auditEntries(limit: 5).count == 5)
            #expect(try await store.openConflicts(villages: [Self.a]).isEmpty)
        }
    }
}
