import FieldModel
@testable import Replica
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// A page is applied as one batch (digests kept in memory and written once, views rebuilt only
/// where a local change sits on top). The law: whatever the page holds and whatever the device
/// wrote locally, one page of n states leaves the replica exactly as n pages of one state each.
@Suite("A page applied at once equals the same states applied one per response")
struct PageApplyLawTests {
    let A = Fixture.villageA

    /// A generated village as the server holds it before and after a round of other writers,
    /// and the local writes the device makes in between.
    struct World {
        var base: [RecordState] = []
        var next: [RecordState] = []
        var localEdits: [(RecordID, [Household.Field: FieldValue])] = []
    }

    /// `households`: how many the village holds; `repeats`: how many of the changed records
    /// the page carries a second time, changed again (the later state must win).
    func world(seed: UInt64, households: ClosedRange<UInt64> = 3...12, repeats: Int = 0) -> World {
        var rng = SeededGenerator(seed: seed)
        var server = OtherReplica()
        var world = World()
        for n in 1...UInt64.random(in: households, using: &rng) {
            let household = Fixture.newHousehold(n)
            var state = server.created(household)
            world.base.append(state)
            var members: [RecordState] = []
            for m in 0..<UInt64.random(in: 0...2, using: &rng) {
                let member = server.created(Fixture.newMember(1_000 + 10 * n + m, of: household))
                members.append(member)
                world.base.append(member)
            }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: break // unchanged: the page carries it again as it was
            case 1: state = server.set(state, "monthlyIncomeFen", .int(Int64.random(in: 0...200_000, using: &rng)))
            case 2: state = server.set(server.set(state, "phone", .text("1390000\(Int.random(in: 1_000...9_999, using: &rng))")),
                                       "notes", .text("复核 \(seed)"))
            default: state = server.deleted(state)
            }
            world.next.append(state)
            world.next += members.map { Bool.random(using: &rng) ? server.deleted($0) : $0 }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                world.localEdits.append((household.id, [.monthlyIncomeFen: .int(Int64.random(in: 1...99_999, using: &rng))]))
            }
        }
        world.next.shuffle(using: &rng)
        for state in world.next.filter({ !$0.isDeleted && $0.key.collection == .household }).prefix(repeats) {
            world.next.append(server.set(state, "notes", .text("再次 \(seed)")))
        }
        return world
    }

    /// The live states a village ends with when `states` arrive in this order: the last of each record.
    func last(_ states: [RecordState]) -> [RecordState] {
        var latest: [RecordID: RecordState] = [:]
        for state in states { latest[state.key.id] = state }
        return latest.values.filter { !$0.isDeleted }
    }

    /// Pulls the base, writes locally, then receives `next` in `pages` responses.
    func replay(_ world: World, in pages: Int, label: String) throws -> (ReplicaSnapshot, ScopeDigest?) {
        let h = try ReplicaHarness(label: label)
        defer { h.finish() }
        try h.replica.receivePage(world.base, cursor: 1)
        for (id, values) in world.localEdits { _ = try h.replica.updateHousehold(id, values) }
        let live = ScopeDigest.of(last(world.next))
        let size = max(1, (world.next.count + pages - 1) / pages)
        let chunks = stride(from: 0, to: world.next.count, by: size).map { Array(world.next[$0..<min($0 + size, world.next.count)]) }
        for (i, chunk) in chunks.enumerated() {
            let last = i == chunks.count - 1
            try h.replica.receive(SyncResponse(serverTimeMilliseconds: Fixture.now, page: chunk, cursors: [A: UInt64(2 + i)],
                                               hasMore: !last, digests: last ? [A: live] : [:]))
        }
        // Whatever the page said, a pending local edit still shows in the worker's view.
        let income = Fixture.field(.household, "monthlyIncomeFen")
        let deleted = Set(world.next.filter(\.isDeleted).map(\.key.id))
        for (id, values) in world.localEdits where !deleted.contains(id) {
            let shown = try h.replica.record(.household, id)?.fields[income]?.siblings.map(\.value) ?? []
            #expect(shown.contains(values[.monthlyIncomeFen]!), "household \(id) lost its pending income \(values)")
        }
        return (try ReplicaSnapshot.of(h.replica), try h.replica.digest(of: A))
    }

    @Test(arguments: 0..<40)
    func onePageEqualsOneStatePerResponse(seed: UInt64) throws {
        let world = world(seed: seed)
        let (together, togetherDigest) = try replay(world, in: 1, label: "page-law-together-\(seed)")
        let (apart, apartDigest) = try replay(world, in: world.next.count, label: "page-law-apart-\(seed)")
        #expect(together == apart)
        #expect(togetherDigest == apartDigest)
        #expect(togetherDigest == ScopeDigest.of(world.next.filter { !$0.isDeleted }), "the digest is that of the live states")
        // Local edits of records the server did not delete stay pending on top of the pulled view.
        #expect(together.outbox.count == world.localEdits.count)
    }

    /// Pages of more than `PreparedConfirmed.smallestChunk` × 2 states are sealed and hashed over
    /// the cores before the transaction; some records come twice in the page, changed again.
    @Test(arguments: 0..<6)
    func aLargePageSpreadOverTheCoresEqualsOneStatePerResponse(seed: UInt64) throws {
        let world = world(seed: 100 + seed, households: 90...110, repeats: 5)
        #expect(world.next.count >= 2 * PreparedConfirmed.smallestChunk, "the page is large enough to be spread")
        let (together, togetherDigest) = try replay(world, in: 1, label: "page-law-large-together-\(seed)")
        let (apart, apartDigest) = try replay(world, in: world.next.count, label: "page-law-large-apart-\(seed)")
        #expect(together == apart)
        #expect(togetherDigest == apartDigest)
        #expect(togetherDigest == ScopeDigest.of(last(world.next)), "the digest is that of each record's last state")
    }
}
