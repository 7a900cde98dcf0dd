import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// The pull half of a sync: paging, cursors, digests, re-bootstrap and reassignment.
@Suite("Pull")
struct PullTests {
    static let a = Fixture.villageA, b = Fixture.villageB

    @Test("a township reviewer bootstraps both villages in pages; digests match what it holds", arguments: StoreBackend.all)
    func bootstrapInPages(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let seeded = try await Fixture.seed(engine, Self.a, Self.b)
            var device = TestDevice(Fixture.reviewer, replica: 0xF1)
            let responses = try await device.syncUntilDone(engine, pageLimit: 97)
            #expect(responses.count == (seeded + 96) / 97)
            #expect(responses.dropLast().allSatisfy { $0.page.count == 97 && $0.digests.isEmpty })
            let delivered = responses.flatMap(\.page).map(\.key.id)
            #expect(delivered.count == seeded && Set(delivered).count == seeded, "every record exactly once")
            let last = try #require(responses.last)
            #expect(last.digests.keys.sorted() == [Self.a, Self.b])
            for village in [Self.a, Self.b] { #expect(last.digests[village] == device.digest(of: village)) }
            #expect(last.serverTimeMilliseconds == Fixture.now)

            // Nothing new: an empty page, the same cursors, the digests again.
            let idle = try await device.sync(engine)
            #expect(idle.page.isEmpty && !idle.hasMore && idle.cursors == last.cursors && idle.digests == last.digests)
        }
    }

    @Test("page size: 0 asks for the default, larger asks are clamped to the maximum", arguments: StoreBackend.all)
    func pageLimits(backend: StoreBackend) async throws {
        try await withEngine(backend, configure: { $0.defaultPageSize = 10; $0.maxPageSize = 25 }) { engine in
            try await Fixture.seed(engine, Self.a)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xF2)
            #expect(try await engine.sync(device.request([], pageLimit: 0), device: device.context, now: Fixture.now).page.count == 10)
            #expect(try await engine.sync(device.request([], pageLimit: 1_000), device: device.context, now: Fixture.now).page.count == 25)
            #expect(try await device.sync(engine, pageLimit: 3).page.count == 3)
        }
    }

    @Test("a cursor from before a purge re-bootstraps its village; the batch it carries still applies", arguments: StoreBackend.all)
    func rebootstrapPastHorizon(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a, Self.b)
            var stale = TestDevice(Fixture.assistant(of: Self.a), replica: 0xF3)
            try await stale.syncUntilDone(engine)
            var active = TestDevice(Fixture.reviewer, replica: 0xF4)
            try await active.syncUntilDone(engine)
            // A mistaken entry: created, held by the stale device, then deleted by its author.
            let mistaken = Fixture.application(in: Self.a, 40)
            #expect(try await active.sync(engine, [active.create(mistaken)]).acked == [1])
            try await stale.syncUntilDone(engine)
            #expect(try await active.sync(engine, [active.write(.delete, to: Fixture.key(mistaken))]).acked == [2])

            let later = Fixture.now + 401 * Fixture.msPerDay
            #expect(try await engine.purgeTombstones(now: Fixture.now + 399 * Fixture.msPerDay) == 0, "inside the horizon")
            #expect(try await engine.purgeTombstones(now: later) == 1)

            let house = Fixture.household(in: Self.a)
            let pending = stale.set(Fixture.key(house), "phone", .text("13600000000"))
            // Small pages: the re-bootstrap takes many, and only the first re-bootstraps.
            let responses = try await stale.syncUntilDone(engine, [pending], now: later, pageLimit: 50)
            #expect(responses.count > 3)
            #expect(responses[0].rebootstrapVillages == [Self.a])
            #expect(responses.dropFirst().allSatisfy { $0.rebootstrapVillages.isEmpty })
            #expect(responses[0].acked == [pending.dot.counter])
            #expect(stale.held[mistaken.id] == nil, "the purged record left with the re-bootstrap")
            #expect(responses.last!.digests[Self.a] == stale.digest(of: Self.a))
            #expect(stale.held[house.id]?.value(Fixture.field(.household, "phone")) == .text("13600000000"))

            // A device that saw the delete is past the purge: no re-bootstrap.
            #expect(try await active.sync(engine, now: later).rebootstrapVillages.isEmpty)
        }
    }

    @Test("reassignment: the old village is dropped, the new one served from 0, writes to the old refused", arguments: StoreBackend.all)
    func reassignment(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a, Self.b)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xF5)
            try await device.syncUntilDone(engine)
            #expect(Array(device.cursors.keys) == [Self.a])

            device.context.worker.assignment = Assignment(villages: [Self.b])
            let late = device.set(Fixture.key(Fixture.household(in: Self.a)), "phone", .text("13500000000"))
            let responses = try await device.syncUntilDone(engine, [late])
            #expect(responses[0].droppedVillages == [Self.a])
            #expect(responses[0].rejections.map(\.reason) == ["outside_scope"])
            #expect(Array(device.cursors.keys) == [Self.b])
            #expect(device.held.values.allSatisfy { $0.key.scope == Self.b })
            #expect(device.held.count == Fixture.seed(Self.b).count)
            #expect(responses.last!.digests == [Self.b: device.digest(of: Self.b)])
        }
    }

    @Test("an administrator sees no village; its cursors are dropped", arguments: StoreBackend.all)
    func administratorSeesNothing(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            let admin = Worker(id: Fixture.admin, name: "管理员", role: .administrator, assignment: Assignment(counties: [Self.a.county]))
            var device = TestDevice(admin, replica: 0xF6)
            device.cursors = [Self.a: 3]
            let response = try await device.sync(engine)
            #expect(response.page.isEmpty && response.cursors.isEmpty && response.droppedVillages == [Self.a])
        }
    }

    @Test("pages under concurrent pushes: every last page's digest matches what the device holds", arguments: StoreBackend.all)
    func pullUnderConcurrentPushes(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a, Self.b)
            let houses = Fixture.households(in: Self.a)
            async let writes: Void = {
                var writer = TestDevice(Fixture.assistant(of: Self.a), replica: 0xF7)
                try await writer.syncUntilDone(engine)
                for round in 0..<25 {
                    let batch = (0..<8).map { i in
                        writer.set(Fixture.key(houses[(round * 8 + i) % houses.count]), "notes", .text("round \(round) note \(i)"))
                    }
                    let response = try await writer.sync(engine, batch)
                    #expect(response.acked.count == batch.count, "\(response.rejections.prefix(2))")
                }
            }()
            var reader = TestDevice(Fixture.reviewer, replica: 0xF8)
            var checks = 0
            for _ in 0..<12 {
                for response in try await reader.syncUntilDone(engine, pageLimit: 61) where !response.hasMore {
                    for village in [Self.a, Self.b] { #expect(response.digests[village] == reader.digest(of: village)) }
                    checks += 1
                }
            }
            try await writes
            let final = try #require(try await reader.syncUntilDone(engine).last)
            for village in [Self.a, Self.b] { #expect(final.digests[village] == reader.digest(of: village)) }
            #expect(checks == 12)
        }
    }

    @Test("pages across more villages than a connection keeps scans prepared for, again and again: every record once, in sequence order",
          arguments: StoreBackend.all)
    func pagesAcrossManyVillages(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let template = Fixture.household(in: Self.a)
            let villages = (0..<300).map { Self.a.county.township(150 + $0 / 100).village(1 + $0 % 100) }
            let households = villages.enumerated().flatMap { n, village in
                (0..<2).map { k in
                    var h = template
                    h.id = Fixture.freshID(UInt64(n * 2 + k + 1))
                    h.village = village
                    return ImportRecord(h)
                }
            }
            let imported = try await engine.importRecords(households, by: Fixture.admin, now: Fixture.now)
            #expect(imported.created == households.count && imported.rejected.isEmpty)

            // Pages that leave most scans unfinished, then pages from other positions: a scan
            // kept prepared must start from its new arguments, never from where it stopped.
            let everything = try await engine.store.pull(Dictionary(uniqueKeysWithValues: villages.map { ($0, 0) }), limit: 1_000)
            #expect(everything.records.count == households.count && !everything.hasMore)
            #expect(everything.sequences == everything.sequences.sorted())
            for limit in [1, 7, 250, 599] {
                for skip in [0, 1] {
                    let cursors = Dictionary(uniqueKeysWithValues: villages.enumerated().map { n, village in
                        (village, n % 3 == 0 ? everything.sequences[min(everything.sequences.count - 1, skip * 300)] : 0)
                    })
                    let expected = zip(everything.sequences, everything.records)
                        .filter { sequence, record in sequence > cursors[record.key.scope]! }.prefix(limit)
                    let page = try await engine.store.pull(cursors, limit: limit)
                    #expect(page.sequences == expected.map(\.0), "limit \(limit), skip \(skip)")
                    #expect(page.records.map(\.key.id) == expected.map(\.1.key.id))
                }
            }
        }
    }

    @Test("a purge committing between the staleness check and the page is noticed and the pull redone", arguments: StoreBackend.all)
    func purgeDuringPull(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            let purging = PurgesBeforeFirstPull(store, before: Fixture.now + 401 * Fixture.msPerDay)
            let engine = SyncEngine(store: purging, configuration: .init(serverReplica: Fixture.serverReplica))
            try await Fixture.seed(engine, Self.a)
            var stale = TestDevice(Fixture.assistant(of: Self.a), replica: 0xF9)
            try await stale.syncUntilDone(engine)
            var deleter = TestDevice(Fixture.assistant(of: Self.a), replica: 0xFA)
            try await deleter.syncUntilDone(engine)
            let mistaken = Fixture.application(in: Self.a, 41)
            #expect(try await deleter.sync(engine, [deleter.create(mistaken)]).acked == [1])
            #expect(try await deleter.sync(engine, [deleter.write(.delete, to: Fixture.key(mistaken))]).acked == [2])

            await purging.arm()
            let response = try await stale.sync(engine, now: Fixture.now + 401 * Fixture.msPerDay)
            #expect(try await store.purgeMark().generation == 1)
            #expect(response.rebootstrapVillages == [Self.a])
        }
    }
}

/// A store that runs a purge just before the first pull after `arm()`: a purge racing a sync.
actor PurgesBeforeFirstPull: WrappedStore {
    let base: any SyncStore
    let before: Int64
    var armed = false

    init(_ base: any SyncStore, before: Int64) {
        self.base = base
        self.before = before
    }

    func arm() { armed = true }

    func pull(_ cursors: [VillageCode: UInt64], limit: Int) async throws -> PullPage {
        if armed {
            armed = false
            _ = try await base.purgeTombstones(deletedBefore: before)
        }
        return try await base.pull(cursors, limit: limit)
    }
}
