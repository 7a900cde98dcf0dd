import FieldModel
import SyncCore
import Testing
import SyntheticData

/// The stored form of a record state, the hash under the digests, and the scope digest.
@Suite("Record encoding and digests")
struct EncodingTests {
    /// Every state the generator leaves behind — each replica's and the reference — for these seeds.
    static func states(seeds: Range<UInt64>) -> [RecordState] {
        seeds.flatMap { seed in
            let history = HistoryGenerator().make(seed: seed)
            return history.replicaStates.flatMap(\.values) + replay(history.changes).values
        }
    }

    /// A few states with much in them: concurrent siblings, tombstones, supersession contexts.
    static let rich: [RecordState] = {
        let all = states(seeds: 0..<60)
        let bySize = all.sorted { $0.encoded(includeSupersession: true).count > $1.encoded(includeSupersession: true).count }
        let conflicted = all.first { $0.needsReview && !$0.tombstones.isEmpty && $0.conflictedFields.count > 0 }
        return Array(bySize.prefix(3)) + [conflicted].compactMap { $0 }
    }()

    @Test("every generated state round-trips, with and without supersession", arguments: 0..<4)
    func roundTrip(shard: UInt64) throws {
        let states = Self.states(seeds: shard * 100..<(shard + 1) * 100)
        #expect(states.count > 500)
        for state in states {
            let full = state.encoded(includeSupersession: true)
            let decoded = try RecordState(decoding: full, includesSupersession: true)
            #expect(decoded == state, "\(describe(state))")

            let observable = state.encoded(includeSupersession: false)
            let shown = try RecordState(decoding: observable, includesSupersession: false)
            #expect(shown.isObservablyEqual(to: state), "\(describe(state))")
            #expect(shown.encoded(includeSupersession: false) == observable)
            #expect(shown.values == state.values && shown.version == state.version && shown.tombstones == state.tombstones)
            #expect(shown.conflictedFields == state.conflictedFields && shown.hasDeleteConflict == state.hasDeleteConflict)
            #expect(shown.digest == state.digest)
        }
    }

    @Test("a state rebuilt from a page's siblings, in whatever order, holds them in dot order and drops empty fields")
    func pulledStateOrder() {
        var rng = SeededGenerator(seed: 41)
        var shuffledSome = 0
        for state in Self.states(seeds: 0..<40) {
            var fields = state.fields.mapValues(\.siblings)
            fields[FieldID(999)] = []
            let shuffled = fields.mapValues { $0.shuffled(using: &rng) }
            let tombstones = state.tombstones.shuffled(using: &rng)
            if shuffled.contains(where: { $0.value != fields[$0.key] }) || tombstones != state.tombstones { shuffledSome += 1 }
            let rebuilt = RecordState(key: state.key, version: state.version, created: state.created,
                                      fields: shuffled.mapValues { FieldState(siblings: $0) }, tombstones: tombstones)
            #expect(rebuilt.fields[FieldID(999)] == nil)
            #expect(rebuilt.fields.keys.sorted() == state.fields.filter { !$0.value.siblings.isEmpty }.keys.sorted())
            for (id, field) in rebuilt.fields {
                #expect(field.siblings == state.fields[id]?.siblings, "\(describe(state)) field \(id)")
            }
            #expect(rebuilt.tombstones == state.tombstones)
            #expect(rebuilt.isObservablyEqual(to: state) && rebuilt.digest == state.digest, "\(describe(state))")
        }
        #expect(shuffledSome >= 10, "the sweep held \(shuffledSome) states with more than one sibling or tombstone to reorder")
    }

    @Test("every truncation throws a DecodeError", arguments: [true, false])
    func truncation(includeSupersession: Bool) {
        #expect(Self.rich.count >= 3)
        for state in Self.rich {
            let bytes = state.encoded(includeSupersession: includeSupersession)
            for n in 0..<bytes.count {
                do throws(DecodeError) {
                    _ = try RecordState(decoding: Array(bytes.prefix(n)), includesSupersession: includeSupersession)
                    Issue.record("\(n) of \(bytes.count) bytes decoded")
                } catch {
                    #expect(error.offset <= n)
                }
            }
            #expect(throws: DecodeError.self) {
                try RecordState(decoding: bytes + [0], includesSupersession: includeSupersession)
            }
        }
    }

    /// Garbled bytes either throw or decode to a state that encodes and decodes stably.
    @Test("garbled bytes throw a DecodeError or decode to something well formed", arguments: [true, false])
    func garbled(includeSupersession mode: Bool) throws {
        var rng = SeededGenerator(seed: mode ? 1 : 2)
        var thrown = 0, decoded = 0
        for state in Self.rich {
            let bytes = state.encoded(includeSupersession: mode)
            for _ in 0..<1_500 {
                var garbled = bytes
                for _ in 0..<rng.int(in: 1...3) {
                    let i = rng.int(below: garbled.count)
                    switch rng.int(below: 4) {
                    case 0: garbled[i] ^= UInt8(1 << rng.int(below: 8))
                    case 1: garbled[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 2: garbled[i] = 0xFF
                    default: garbled.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                    }
                }
                let again: [UInt8]
                do throws(DecodeError) {
                    again = try RecordState(decoding: garbled, includesSupersession: mode).encoded(includeSupersession: mode)
                    decoded += 1
                } catch {
                    thrown += 1
                    #expect(error.offset <= garbled.count)
                    continue
                }
                // What decoded once encodes to bytes that decode to the same bytes again.
                let twice = try RecordState(decoding: again, includesSupersession: mode).encoded(includeSupersession: mode)
                #expect(twice == again)
            }
        }
        #expect(thrown > 0 && decoded > 0, "both outcomes occur: \(thrown) thrown, \(decoded) decoded")
    }

    @Test("hostile counts are refused before anything is allocated")
    func hostileCounts() {
        let state = Self.rich[0]
        let bytes = state.encoded(includeSupersession: true)
        // The version vector's count sits after collection (1), id (16) and scope (a varint).
        let scopeLength = state.encoded(includeSupersession: false).dropFirst(17).prefix { $0 & 0x80 != 0 }.count + 1
        let header = Array(bytes.prefix(17 + scopeLength))
        for count: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                               [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]] {
            #expect(throws: DecodeError.self) { try RecordState(decoding: header + count, includesSupersession: true) }
        }
        #expect(throws: DecodeError.self) { try RecordState(decoding: [9] + bytes.dropFirst(), includesSupersession: true) }
    }

    /// The published SipHash-2-4 vectors (Aumasson & Bernstein, vectors.h): key 00 01 … 0f,
    /// message 00 01 … (n−1). Cross-checked with `openssl mac SIPHASH`.
    @Test("SipHash-2-4 matches the reference vectors", arguments: [
        (0, 0x726F_DB47_DD0E_0E31 as UInt64), (1, 0x74F8_39C5_93DC_67FD), (7, 0xAB02_00F5_8B01_D137),
        (8, 0x93F5_F579_9A93_2462), (9, 0x9E00_82DF_0BA9_E4B0), (15, 0xA129_CA61_49BE_45E5),
        (16, 0x3F2A_CC7F_57C2_9BDB), (63, 0x958A_324C_EB06_4572),
    ])
    func sipHashVectors(length: Int, expected: UInt64) {
        let message = (0..<length).map { UInt8($0) }
        #expect(StableHash.sipHash24(message, k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908) == expected)
    }

    @Test("a scope digest does not depend on the order of its records")
    func scopeDigestOrder() {
        var rng = SeededGenerator(seed: 9)
        let states = Self.states(seeds: 0..<20)
        let digest = ScopeDigest.of(states)
        #expect(digest.recordCount == states.count)
        #expect(ScopeDigest.of(states.reversed()) == digest)
        for _ in 0..<5 { #expect(ScopeDigest.of(rng.shuffled(states)) == digest) }
        #expect(ScopeDigest.of([RecordState]()) == ScopeDigest())
        #expect(ScopeDigest.of(states.dropLast()) != digest)
    }

    @Test("replace keeps a scope digest equal to recomputing it", arguments: [UInt64(3), 14, 159])
    func incrementalDigest(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let history = HistoryGenerator().make(seed: seed)
        var states: [RecordKey: RecordState] = [:]
        var digest = ScopeDigest()
        for c in rng.shuffledWithDuplicates(history.changes, extra: 0.3) {
            let old = states[c.record]?.digest
            states[c.record, default: RecordState(key: c.record)].apply(c)
            digest.replace(old, with: states[c.record]!.digest)
            #expect(digest == ScopeDigest.of(states.values), "after \(c)")
        }
        // A record leaving the scope.
        let leaving = states.keys.sorted()[0]
        digest.replace(states.removeValue(forKey: leaving)!.digest, with: nil)
        #expect(digest == ScopeDigest.of(states.values))
        #expect(digest.recordCount == states.count)
    }

    @Test("the digest hashes only the observable state")
    func digestIsObservable() throws {
        for state in Self.rich {
            let shown = try RecordState(decoding: state.encoded(includeSupersession: false), includesSupersession: false)
            #expect(shown.digest == state.digest)
            #expect(state.digest == StableHash.hash128(state.encoded(includeSupersession: false)))
        }
        #expect(Digest128(high: 0xAB, low: 1).description == "00000000000000ab0000000000000001")
    }
}
