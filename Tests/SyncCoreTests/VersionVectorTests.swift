import Foundation
import SyncCore
import Testing

/// `VersionVector` against a reference model — a plain dictionary from replica to counter — over
/// every vector of three replicas with counters 0...3 (64 vectors, 4,096 pairs, 262,144 triples).
@Suite("Version vectors")
struct VersionVectorTests {
    /// Out of numeric order on purpose, and one above `Int64.max`, so sorting is exercised.
    static let replicas = [ReplicaID(0x8000_0000_0000_0001), ReplicaID(3), ReplicaID(42)]
    static let counters: ClosedRange<UInt64> = 0...3

    /// The reference: a dictionary with no zero counters.
    struct Model: Sendable, Hashable, CustomTestStringConvertible {
        var counters: [ReplicaID: UInt64]

        subscript(r: ReplicaID) -> UInt64 { counters[r] ?? 0 }

        var vector: VersionVector { VersionVector(counters.map { ($0.key, $0.value) }) }

        func merging(_ other: Model) -> Model {
            Model(counters: counters.merging(other.counters, uniquingKeysWith: max))
        }

        /// Every replica's counter at least `other`'s.
        func dominates(_ other: Model) -> Bool { VersionVectorTests.replicas.allSatisfy { self[$0] >= other[$0] } }

        func compare(to other: Model) -> CausalOrder {
            switch (dominates(other), other.dominates(self)) {
            case (true, true): .equal
            case (true, false): .after
            case (false, true): .before
            case (false, false): .concurrent
            }
        }

        var testDescription: String {
            "{" + VersionVectorTests.replicas.map { "\($0.rawValue % 100):\(self[$0])" }.joined(separator: ",") + "}"
        }
    }

    static let all: [Model] = counters.flatMap { x in
        counters.flatMap { y in
            counters.map { z in
                Model(counters: Dictionary(uniqueKeysWithValues: zip(replicas, [x, y, z]).filter { $0.1 > 0 }))
            }
        }
    }

    @Test("the sweep covers 64 distinct vectors")
    func sweepSize() {
        #expect(Self.all.count == 64)
        #expect(Set(Self.all.map(\.vector)).count == 64)
    }

    @Test("entries are sorted by replica, without zeros, whichever way the vector was built", arguments: all)
    func canonicalForm(_ m: Model) {
        let vv = m.vector
        #expect(vv.entries.map(\.replica) == m.counters.keys.sorted())
        #expect(vv.entries.allSatisfy { $0.counter > 0 && $0.counter == m[$0.replica] })
        #expect(vv.count == m.counters.count)
        #expect(vv.isEmpty == m.counters.isEmpty)
        for r in Self.replicas { #expect(vv[r] == m[r]) }
        #expect(vv[ReplicaID(7)] == 0)

        // Adding every dot up to each counter, in reverse order, gives the same vector.
        var added = VersionVector()
        for r in Self.replicas.reversed() {
            for c in (0...m[r]).reversed() where c > 0 { added.add(Dot(r, c)) }
        }
        #expect(added == vv)
        // Pairs with repeats and zeros: the highest counter wins, zeros are dropped.
        let noisy = VersionVector(Self.replicas.flatMap { r in [(r, UInt64(0)), (r, m[r]), (r, m[r] / 2)] })
        #expect(noisy == vv)
    }

    @Test("covers(dot) is the model's counter comparison", arguments: all)
    func coversDot(_ m: Model) {
        let vv = m.vector
        for r in Self.replicas + [ReplicaID(7)] {
            for c in UInt64(1)...5 {
                #expect(vv.covers(Dot(r, c)) == (m[r] >= c), "\(m.testDescription) covers \(r):\(c)")
            }
        }
    }

    @Test("compare, covers and merging agree with the model over every pair", arguments: all)
    func pairs(_ a: Model) {
        let va = a.vector
        for b in Self.all {
            let vb = b.vector
            let order = va.compare(to: vb)
            #expect(order == a.compare(to: b), "\(a.testDescription) vs \(b.testDescription)")
            #expect(va.covers(vb) == a.dominates(b))
            #expect(va.covers(vb) == (order == .after || order == .equal), "covers agrees with compare")

            // Antisymmetric: the relation seen from the other side is the mirror image.
            let mirrored: CausalOrder = switch order {
            case .before: .after
            case .after: .before
            case .equal, .concurrent: order
            }
            #expect(vb.compare(to: va) == mirrored)
            #expect((order == .equal) == (va == vb))

            let joined = va.merging(vb)
            #expect(joined == a.merging(b).vector)
            #expect(joined == vb.merging(va), "commutative")
            #expect(joined.covers(va) && joined.covers(vb), "an upper bound")
            var mutated = va
            mutated.merge(vb)
            #expect(mutated == joined)
        }
        #expect(va.merging(va) == va, "idempotent")
        #expect(va.merging(VersionVector()) == va, "the empty vector is the identity")
        #expect(va.compare(to: va) == .equal)
    }

    @Test("merging is associative and the least upper bound, over every triple", arguments: all)
    func triples(_ a: Model) {
        let va = a.vector
        var failures = 0
        for b in Self.all {
            let vb = b.vector
            let ab = va.merging(vb)
            for c in Self.all {
                let vc = c.vector
                let associative = ab.merging(vc) == va.merging(vb.merging(vc))
                // Any vector covering both covers their join: nothing more than needed is added.
                let least = !(vc.covers(va) && vc.covers(vb)) || vc.covers(ab)
                if !(associative && least) {
                    failures += 1
                    Issue.record("a=\(va) b=\(vb) c=\(vc): associative \(associative), least \(least)")
                    if failures == 5 { return }
                }
            }
        }
    }

    @Test("Codable round-trips every vector", arguments: all)
    func codableRoundTrip(_ m: Model) throws {
        let vv = m.vector
        #expect(try JSONDecoder().decode(VersionVector.self, from: JSONEncoder().encode(vv)) == vv)
    }

    @Test("decoding restores the invariant: unsorted, repeated and zero entries")
    func decodingNormalizes() throws {
        func entry(_ r: UInt64, _ c: UInt64) -> String { #"{"replica":{"rawValue":\#(r)},"counter":\#(c)}"# }
        let json = #"{"entries":["# + [entry(9, 1), entry(3, 2), entry(5, 0), entry(3, 1)].joined(separator: ",") + "]}"
        let vv = try JSONDecoder().decode(VersionVector.self, from: Data(json.utf8))
        #expect(vv == VersionVector([(ReplicaID(3), 2), (ReplicaID(9), 1)]))
        #expect(vv[ReplicaID(3)] == 2 && vv.covers(Dot(ReplicaID(3), 2)) && vv.count == 2)
    }

    @Test("description lists entries in replica order")
    func description() {
        let vv = VersionVector([(ReplicaID(42), 2), (ReplicaID(3), 1)])
        #expect(vv.description == "{0000000000000003:1, 000000000000002a:2}")
        #expect(VersionVector().description == "{}")
    }
}
