import FieldModel
import ServerEngine
import SyncCore
import Synchronization
import Testing

/// Group commit: pushes waiting together are written in one transaction, each planned on its own
/// against the writes of the pushes before it, one failing push failing no other.
@Suite("Group commit")
struct GroupCommitTests {
    static let a = Fixture.villageA, b = Fixture.villageB
    struct PlanFailed: Error {}

    @Test("a group: each push planned after the ones before it; a failing plan or write fails that push alone", arguments: StoreBackend.all)
    func group(backend: StoreBackend) async throws {
        try await withStore(backend) { store in
            var first = ChangeMaker(0x61), second = ChangeMaker(0x62), third = ChangeMaker(0x63), fourth = ChangeMaker(0x64)
            let households = Fixture.households(in: Self.a)
            let create = try first.input([first.create(households[0])])
            // The second push changes the household the first creates in the same group.
            let createDot = create.changes[0].dot
            let phone = second.make(.set(Fixture.field(.household, "phone"), .text("13800000001")), Fixture.key(households[0]),
                                    seeing: VersionVector([(createDot.replica, createDot.counter)]))
            let change = try second.input([phone])
            let refused = try third.input([third.create(households[1])])
            let duplicate = try fourth.input([fourth.create(households[2])])
            let seenByChange = Mutex<Bool>(false)
            let results = await store.push([
                PendingPush(input: create, plan: mergeEverything(create)),
                PendingPush(input: change) { snapshot in
                    seenByChange.withLock { $0 = snapshot.records[households[0].id] != nil }
                    return mergeEverything(change)(snapshot)
                },
                PendingPush(input: refused) { _ in throw PlanFailed() },
                // Its writes fail half-way: a processed dot inserted twice.
                PendingPush(input: duplicate) { snapshot in
                    var plan = mergeEverything(duplicate)(snapshot)
                    plan.processed.append(plan.processed[0])
                    return plan
                },
            ])
            #expect(results.count == 4)
            let written = try results[0].get(), changed = try results[1].get()
            #expect(seenByChange.withLock { $0 }, "the second push's snapshot holds what the first wrote")
            #expect(changed.lastSequence == written.lastSequence + 1, "sequences follow the pushes' order")
            #expect(throws: PlanFailed.self) { try results[2].get() }
            #expect(throws: SyncEngineError.self) { try results[3].get() }
            #expect(try await store.record(Fixture.key(households[0]))?.value(Fixture.field(.household, "phone")) == .text("13800000001"))
            #expect(try await store.record(Fixture.key(households[1])) == nil)
            #expect(try await store.record(Fixture.key(households[2])) == nil)
            #expect(try await store.auditEntries(limit: 100).map(\.dot) == [create.changes[0].dot, phone.dot])
            let page = try await store.pull([Self.a: 0], limit: 100)
            #expect(page.records.map(\.key.id) == [households[0].id])
            #expect(page.digests[Self.a] == ScopeDigest.of(page.records))
        }
    }

    @Test("pushes arriving while a group is written go together in the next one, each answered after its commit", arguments: StoreBackend.all)
    func queue(backend: StoreBackend) async throws {
        try await withStore(backend) { base in
            let store = GatedStore(base)
            let queue = PushQueue()
            let households = Fixture.households(in: Self.a) + Fixture.households(in: Self.b)
            let pushers = 12
            let results = try await withThrowingTaskGroup(of: PushResult.self) { group in
                for p in 0..<pushers {
                    group.addTask {
                        var maker = ChangeMaker(0x70 + UInt64(p))
                        let input = try maker.input([maker.create(households[p])])
                        return try await queue.push(PendingPush(input: input, plan: mergeEverything(input)), to: store)
                    }
                }
                // The first group waits until every other push is queued behind it.
                while store.groupSizes.count != 1 || queue.queued + store.groupSizes[0] < pushers { try await Task.sleep(for: .milliseconds(5)) }
                store.open()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == pushers)
            #expect(store.groupSizes.count == 2 && store.groupSizes.reduce(0, +) == pushers, "the first group, then all the others at once")
            #expect(queue.written.groups == 2 && queue.written.pushes == pushers)
            #expect(Set(results.map(\.lastSequence)).count == pushers, "every push took its own sequence")
            let page = try await base.pull([Self.a: 0, Self.b: 0], limit: 1_000)
            #expect(Set(page.records.map(\.key.id)) == Set(households.prefix(pushers).map(\.id)))
        }
    }

    @Test("engines pushing at once: every change acknowledged once, every pull complete", arguments: StoreBackend.all)
    func engines(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var devices = (0..<8).map { TestDevice(Fixture.assistant(of: Self.a), replica: 0x80 + UInt64($0)) }
            for i in devices.indices { try await devices[i].syncUntilDone(engine) }
            let households = Fixture.households(in: Self.a)
            let acked = try await withThrowingTaskGroup(of: Int.self) { group in
                for (i, device) in devices.enumerated() {
                    group.addTask {
                        var device = device
                        var total = 0
                        for round in 0..<4 {
                            let h = households[(i * 4 + round) % households.count]
                            let change = device.set(Fixture.key(h), "phone", .text("1380000\(String(format: "%04d", i * 10 + round))"))
                            let response = try await engine.sync(device.request([change]), device: device.context, now: Fixture.now)
                            #expect(response.rejections.isEmpty)
                            total += response.acked.count
                        }
                        return total
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(acked == 32)
            let audit = try await engine.store.auditEntries(limit: 10_000).filter { $0.dot.replica.rawValue >= 0x80 && $0.dot.replica.rawValue < 0x88 }
            #expect(audit.count == 32 && Set(audit.map(\.dot)).count == 32, "each change applied once")
        }
    }
}

/// A store whose first group waits until `open()`: the pushes behind it queue up meanwhile.
final class GatedStore: WrappedStore {
    let base: any SyncStore
    private let state = Mutex<(open: Bool, sizes: [Int])>((false, []))

    init(_ base: any SyncStore) { self.base = base }

    func open() { state.withLock { $0.open = true } }
    var groupSizes: [Int] { state.withLock { $0.sizes } }

    func push(_ group: [PendingPush]) async -> [Result<PushResult, any Error>] {
        state.withLock { $0.sizes.append(group.count) }
        while !state.withLock({ $0.open }) { try? await Task.sleep(for: .milliseconds(2)) }
        return await base.push(group)
    }
}
