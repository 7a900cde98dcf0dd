import FieldModel
import SwiftProtobuf
import SyncCore
import Testing
@testable import SyncProtocol

/// The codec's laws, swept over generated messages: decoding what was encoded gives the message
/// back, and one value always encodes to the same bytes.
@Suite struct CodecRoundTripTests {
    static let requestSeeds = 0..<2_000
    static let responseSeeds = 0..<520
    /// Sweeps run in shards so the two cores share them.
    static let shards = 0..<8

    static func seeds(_ all: Range<Int>, shard: Int) -> [UInt64] {
        all.filter { $0 % shards.count == shard }.map { UInt64($0) &* 0x2545_f491_4f6c_dd1d }
    }

    // MARK: Requests

    @Test(arguments: shards)
    func requestsDecodeToWhatWasEncoded(shard: Int) throws {
        for seed in Self.seeds(Self.requestSeeds, shard: shard) {
            var g = MessageGenerator(seed: seed)
            let request = g.request()
            let bytes = SyncCodec.encodeRequest(request)
            let decoded = try SyncCodec.decodeRequest(bytes)
            #expect(decoded == request, "seed \(seed)")
            #expect(SyncCodec.encodeRequest(decoded) == bytes, "seed \(seed): re-encoding the decoded request")
        }
    }

    @Test(arguments: shards)
    func equalRequestsEncodeToEqualBytes(shard: Int) {
        for seed in Self.seeds(Self.requestSeeds, shard: shard).prefix(60) {
            var g1 = MessageGenerator(seed: seed), g2 = MessageGenerator(seed: seed)
            let request = g1.request()
            var rebuilt = g2.request()
            // The same value, its dictionaries built in another order.
            rebuilt.cursors = Dictionary(uniqueKeysWithValues: rebuilt.cursors.sorted { $0.key > $1.key })
            #expect(rebuilt == request)
            #expect(SyncCodec.encodeRequest(rebuilt) == SyncCodec.encodeRequest(request), "seed \(seed)")
            #expect(SyncCodec.requestBody(rebuilt) == SyncCodec.requestBody(request), "seed \(seed)")
        }
    }

    /// `SyncRequest.changes` is "oldest first": a record's changes interleaved with another
    /// record's come back in the same order (each run of one record's changes is its own group).
    @Test func interleavedChangesComeBackInOutboxOrder() throws {
        let v = VectorFixtures.self
        let household = RecordKey(.household, v.household, scope: v.village)
        let member = RecordKey(.member, v.member, scope: v.village)
        let first = Change(dot: Dot(v.device, 1), record: household, operation: .set(FieldID(4), .text("13835901234")),
                           context: v.serverCreate, hlc: v.hlc(0), author: v.worker)
        var chained = v.serverCreate
        chained.add(first.dot)
        let between = Change(dot: Dot(v.device, 2), record: member, operation: .delete, context: VersionVector(), hlc: v.hlc(1), author: v.worker)
        let third = Change(dot: Dot(v.device, 3), record: household, operation: .set(FieldID(15), .text("")),
                           context: chained, hlc: v.hlc(2), author: v.worker)
        var request = v.bootstrapRequest
        request.changes = [first, between, third]
        let decoded = try SyncCodec.decodeRequest(SyncCodec.encodeRequest(request))
        #expect(decoded.changes.map(\.dot.counter) == [1, 2, 3])
        #expect(decoded == request)
    }

    // MARK: Responses

    @Test(arguments: shards)
    func responsesDecodeToWhatWasEncoded(shard: Int) throws {
        for seed in Self.seeds(Self.responseSeeds, shard: shard) {
            var g = MessageGenerator(seed: seed)
            let response = g.response()
            let bytes = SyncCodec.encodeResponse(response)
            let decoded = try SyncCodec.decodeResponse(bytes)
            try #require(decoded.page.count == response.page.count, "seed \(seed)")
            for (index, (a, b)) in zip(decoded.page, response.page).enumerated() {
                #expect(a.isObservablyEqual(to: b), "seed \(seed) record \(index): \(b.key)")
                #expect(a.key == b.key && a.version == b.version && a.created == b.created && a.tombstones == b.tombstones)
            }
            var rest = decoded, expected = response
            rest.page = []
            expected.page = []
            #expect(rest == expected, "seed \(seed)")
            #expect(SyncCodec.encodeResponse(decoded) == bytes, "seed \(seed): re-encoding the decoded response")
        }
    }

    @Test(arguments: shards)
    func equalResponsesEncodeToEqualBytes(shard: Int) {
        for seed in Self.seeds(Self.responseSeeds, shard: shard).prefix(20) {
            var g1 = MessageGenerator(seed: seed), g2 = MessageGenerator(seed: seed)
            let response = g1.response()
            var rebuilt = g2.response()
            rebuilt.cursors = Dictionary(uniqueKeysWithValues: rebuilt.cursors.sorted { $0.key > $1.key })
            rebuilt.digests = Dictionary(uniqueKeysWithValues: rebuilt.digests.sorted { $0.key > $1.key })
            #expect(SyncCodec.encodeResponse(rebuilt) == SyncCodec.encodeResponse(response), "seed \(seed)")
        }
    }

    // MARK: The sweep covers what it claims to

    @Test func generatedRequestsCoverEveryShape() throws {
        var kinds = Set<UInt8>(), ops = Set<UInt32>(), collections = Set<UInt8>(), contextSizes = Set<UInt32>()
        var splitRecords = 0, descendingCounters = 0, perGroupVersions = 0, largeCounters = 0, clocks = Set<String>()
        for seed in Self.seeds(Self.requestSeeds, shard: 0) + Self.seeds(Self.requestSeeds, shard: 1) {
            var g = MessageGenerator(seed: seed)
            let request = g.request()
            let m = try Doorstep_Sync_V1_SyncRequest(serializedBytes: SyncCodec.requestBody(request))
            let batch = m.batch
            kinds.formUnion(batch.values.kinds)
            ops.formUnion(batch.ops.map { $0 & 3 })
            collections.formUnion(batch.collections)
            contextSizes.formUnion(batch.contextSizes)
            let ids = [UInt8](batch.recordIds)
            let groupIDs = stride(from: 0, to: ids.count, by: 16).map { ids[$0..<$0 + 16] }
            if Set(groupIDs).count < groupIDs.count { splitRecords += 1 }
            if batch.counterDeltas.dropFirst().contains(where: { $0 < 0 }) { descendingCounters += 1 }
            if !batch.schemaVersions.isEmpty { perGroupVersions += 1 }
            if request.changes.contains(where: { $0.dot.counter > 1 << 62 }) { largeCounters += 1 }
            for c in request.changes {
                clocks.insert(c.hlc.rawValue < 3 ? "zero" : c.hlc.rawValue >> 62 == 2 ? "2^63" : c.hlc.rawValue > UInt64.max - 3 ? "max" : "other")
            }
        }
        #expect(kinds == Set(0...9), "value kinds")
        #expect(ops == [0, 1, 2, 3], "operations")
        #expect(collections == Set(RecordCollection.allCases.map(\.rawValue)))
        #expect(contextSizes.isSuperset(of: 0...5))
        #expect(splitRecords > 20 && descendingCounters > 20 && perGroupVersions > 20 && largeCounters > 20)
        #expect(clocks == ["zero", "2^63", "max", "other"])
    }

    @Test func generatedPagesCoverEveryShape() {
        var conflicted = 0, tombstoned = 0, deleteConflicts = 0, uncreated = 0, collections = Set<RecordCollection>()
        for seed in Self.seeds(Self.responseSeeds, shard: 0) {
            var g = MessageGenerator(seed: seed)
            for s in g.response().page {
                collections.insert(s.key.collection)
                if s.fields.values.contains(where: { $0.siblings.count > 1 }) { conflicted += 1 }
                if !s.tombstones.isEmpty { tombstoned += 1 }
                if s.hasDeleteConflict { deleteConflicts += 1 }
                if s.created == nil { uncreated += 1 }
            }
        }
        #expect(collections == Set(RecordCollection.allCases))
        #expect(conflicted > 10 && tombstoned > 10 && deleteConflicts > 5 && uncreated > 10,
                "\(conflicted) conflicted, \(tombstoned) tombstoned, \(deleteConflicts) delete conflicts, \(uncreated) without create")
    }
}
