import DataProtection
import FieldModel
@testable import Replica
import SyncCore
import SyntheticData
import Testing

/// A page's states sealed and hashed over several cores give what one core gives: the same
/// digests and clock readings in page order, and blobs that open to the same states.
@Suite("A page prepared over the cores equals the page prepared on one")
struct PreparedConfirmedTests {
    let codec = ReplicaCodec(sealer: Sealer(ring: KeyRing.generate()))

    /// `count` states of a village: households, some changed, some deleted.
    func states(_ count: Int, seed: UInt64) -> [RecordState] {
        var rng = SeededGenerator(seed: seed)
        var server = OtherReplica()
        return (0..<UInt64(count)).map { n in
            let state = server.created(Fixture.newHousehold(n + 1))
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return state
            case 1: return server.set(state, "monthlyIncomeFen", .int(Int64.random(in: 0...200_000, using: &rng)))
            default: return server.deleted(state)
            }
        }
    }

    @Test(arguments: [(0, 1), (63, 2), (64, 2), (129, 2), (300, 3), (1_000, 8), (2_001, 4)])
    func spreadEqualsOneCore(count: Int, seed: UInt64) throws {
        let page = states(count, seed: seed)
        let spread = PreparedConfirmed(page, codec: codec, cores: 8)
        let alone = PreparedConfirmed(page, codec: codec, cores: 1)
        #expect(spread.rows.count == page.count)
        #expect(spread.latest == alone.latest)
        #expect(spread.latest == page.map(\.lastModified).max() ?? .zero)
        for (i, state) in page.enumerated() {
            #expect(spread[i].digest == alone[i].digest)
            #expect(spread[i].digest == (state.isDeleted ? nil : state.digest), "record \(i) of \(count)")
            #expect(spread[i].lastModified == state.lastModified)
            let opened = try codec.state(spread[i].blob, includesSupersession: false)
            #expect(opened.encoded(includeSupersession: false) == state.encoded(includeSupersession: false), "record \(i) of \(count)")
        }
    }
}
