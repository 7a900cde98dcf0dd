import FieldModel
import Foundation
import SyncCore
@testable import SyncProtocol

/// Hostile sync responses. Most start from `Hostile.answer`, whose page holds one household:
/// version {server:500, device:8} (replica table [server, device]), created by server:412, fifteen
/// fields sent as the create's values except field 10 with two explicit siblings (server:500 and
/// device:8), no tombstones; authors [reviewer, worker]; sixteen values.
let hostileResponses: [HostileMessage] = {
    typealias H = Hostile
    let body = SyncCodec.serialize(H.answer)
    let v = VectorFixtures.village.rawValue
    let max32 = UInt32.max
    var all: [HostileMessage] = []

    // MARK: Frame and protobuf
    all += [
        H.frame(.response, "protobuf-not-deflated", .frame, body),
        H.frame(.response, "frame-with-trailing-byte", .frame, Deflate.compress(body) + [0]),
        H.raw(.response, "deflate-bomb-valid-message-9MiB-of-unknown-field", .frame, body: H.padded(body, zeros: 9 << 20)),
        H.raw(.response, "noise-1KiB", .malformed, body: noise(1_024, seed: 12)),
        H.raw(.response, "json-text", .malformed, body: Array(#"{"protocolVersion":1,"hasMore":true}"#.utf8)),
        H.raw(.response, "protobuf-cut-in-half", .malformed, body: Array(body.prefix(body.count / 2))),
        H.raw(.response, "nested-unknown-groups-100-deep", .malformed, body: body + H.nestedGroups(100)),
        H.raw(.response, "nested-unknown-groups-9-deep-inside-page", .malformed,
              body: H.tag(1, 0) + [1] + H.tag(5, 2) + H.varint(UInt64(H.nestedGroups(9).count)) + H.nestedGroups(9)),
        H.raw(.response, "rejection-reason-invalid-utf8", .malformed, body: body + H.tag(4, 2) + [0x04] + H.tag(2, 2) + [0x02, 0xff, 0xfe]),
        H.raw(.response, "page-length-claims-4294967295", .malformed, body: H.tag(1, 0) + [1] + H.tag(5, 2) + H.varint(UInt64(max32))),
    ]

    // MARK: The response itself
    all += [
        H.raw(.response, "empty-message-has-version-0", .unsupportedProtocol, body: []),
        H.response("protocol-version-3", .unsupportedProtocol) { $0.protocolVersion = 3 },
        H.response("2001-acknowledgements", .tooManyElements) { $0.ackedCounters = Array(1...2_001); $0.rejections = [] },
        H.response("1996-acknowledgements-and-5-rejections", .tooManyElements) { m in
            m.ackedCounters = Array(1...1_996)
            m.rejections = Array(repeating: m.rejections[0], count: 5)
        },
        H.response("20001-dropped-villages", .tooManyElements) { $0.droppedVillages = H.spread(20_001, of: (1...4).map { v + $0 }, seed: 5) },
        H.response("two-digests-for-one-village", .inconsistent) { m in
            var other = m.digests[0]
            other.digestLow ^= 1
            m.digests.append(other)
        },
        H.response("two-cursors-for-one-village", .inconsistent) { $0.cursors.append($0.cursors[0]) },
        H.response("digest-village-0", .invalidValue) { $0.digests[0].village = 0 },
        H.response("digest-village-13-digits", .invalidValue) { $0.digests[0].village = v * 10 },
        H.response("cursor-village-11-digits", .invalidValue) { $0.cursors[0].village = v / 10 },
        H.response("dropped-village-zero-township-part", .invalidValue) { $0.droppedVillages = [140821000001] },
        H.response("rebootstrap-village-negative", .invalidValue) { $0.rebootstrapVillages = [UInt64(bitPattern: -v.signed)] },
    ]

    // MARK: Counts that claim 2^32 - 1 elements
    all += [
        H.page("version-sizes-claim-4294967295", .inconsistent) { $0.versionSizes[0] = max32 },
        H.page("field-counts-claim-4294967295", .inconsistent) { $0.fieldCounts[0] = max32 },
        H.page("sibling-counts-claim-4294967295", .inconsistent) { $0.siblingCounts[9] = max32 },
        H.page("sibling-counts-sum-wraps-to-the-sibling-count-in-32-bits", .inconsistent) { $0.siblingCounts[0] = max32; $0.siblingCounts[1] = 1 },
        H.page("tombstone-counts-claim-4294967295", .inconsistent) { $0.tombstoneCounts[0] = max32 },
        H.page("field-counts-one-too-many-claiming-4294967295", .inconsistent) { $0.fieldCounts.append(max32) },
    ]

    // MARK: Parallel columns that disagree
    all += [
        H.page("record-ids-not-a-multiple-of-16", .inconsistent) { $0.recordIds.append(0) },
        H.page("collections-one-too-many", .inconsistent) { $0.collections.append(1) },
        H.page("scope-deltas-one-too-many", .inconsistent) { $0.scopeDeltas.append(0) },
        H.page("version-sizes-one-missing", .inconsistent) { $0.versionSizes = [] },
        H.page("created-flags-one-too-many", .inconsistent) { $0.createdFlags.append(0) },
        H.page("field-counts-one-missing", .inconsistent) { $0.fieldCounts = [] },
        H.page("tombstone-counts-one-too-many", .inconsistent) { $0.tombstoneCounts.append(0) },
        H.page("version-counters-one-missing", .inconsistent) { $0.versionCounters.removeLast() },
        H.page("created-replicas-one-too-many", .inconsistent) { $0.createdReplicas.append(0) },
        H.page("created-counter-deltas-one-missing", .inconsistent) { $0.createdCounterDeltas = [] },
        H.page("created-hlc-deltas-one-too-many", .inconsistent) { $0.createdHlcDeltas.append(0) },
        H.page("created-authors-one-missing", .inconsistent) { $0.createdAuthors = [] },
        H.page("field-ids-one-missing", .inconsistent) { $0.fieldIds.removeLast() },
        H.page("sibling-counts-one-too-many", .inconsistent) { $0.siblingCounts.append(0) },
        H.page("sibling-replicas-one-too-many", .inconsistent) { $0.siblingReplicas.append(0) },
        H.page("sibling-counter-deltas-one-missing", .inconsistent) { $0.siblingCounterDeltas.removeLast() },
        H.page("sibling-hlc-deltas-one-too-many", .inconsistent) { $0.siblingHlcDeltas.append(0) },
        H.page("sibling-authors-one-missing", .inconsistent) { $0.siblingAuthors.removeLast() },
        H.page("version-replica-index-beyond-table", .inconsistent) { $0.versionReplicas[1] = 2 },
        H.page("create-replica-beyond-table", .inconsistent) { $0.createdReplicas[0] = 2 },
        H.page("create-author-beyond-table", .inconsistent) { $0.createdAuthors[0] = 2 },
        H.page("sibling-replica-beyond-table", .inconsistent) { $0.siblingReplicas[1] = 2 },
        H.page("sibling-author-beyond-table", .inconsistent) { $0.siblingAuthors[0] = max32 },
        H.page("field-from-a-create-the-record-does-not-have", .inconsistent) { m in
            m.createdFlags = Data([0])
            m.createdReplicas = []
            m.createdCounterDeltas = []
            m.createdHlcDeltas = []
            m.createdAuthors = []
        },
        H.page("value-kinds-one-missing", .inconsistent) { $0.values.kinds.removeLast() },
        H.page("id-cards-exhausted", .inconsistent) { $0.values.idCards = [] },
        H.page("digits-one-left-over", .inconsistent) { $0.values.digits.append(7) },
        H.page("texts-one-left-over", .inconsistent) { $0.values.texts.append("") },
    ]

    // MARK: Values out of their domain
    all += [
        H.page("created-flag-2", .invalidValue) { $0.createdFlags = Data([2]) },
        H.page("author-with-slash", .invalidValue) { $0.authors[1] = "va/140821101001" },
        H.page("collection-0", .invalidValue) { $0.collections = Data([0]) },
        H.page("collection-8", .invalidValue) { $0.collections = Data([8]) },
        H.page("village-13-digits", .invalidValue) { $0.scopeDeltas[0] = Int64(v) * 10 },
        H.page("village-zero-village-part", .invalidValue) { $0.scopeDeltas[0] = 140821101000 },
        H.page("village-negative", .invalidValue) { $0.scopeDeltas[0] = -Int64(v) },
        H.page("version-names-one-replica-twice", .invalidValue) { $0.versionReplicas = [0, 0] },
        H.page("version-names-replica-0", .invalidValue) { $0.replicas.append(0); $0.versionReplicas[1] = 2 },
        H.page("version-counter-0", .invalidValue) { $0.versionCounters[1] = 0 },
        H.page("create-dot-not-covered-by-version", .invalidValue) { $0.createdCounterDeltas[0] = 1 },
        H.page("create-counter-wraps-to-0", .invalidValue) { $0.createdCounterDeltas[0] = -500 },
        H.page("field-id-repeats", .invalidValue) { $0.fieldIds[1] = 0 },
        H.page("first-field-id-65536", .invalidValue) { $0.fieldIds[0] = 65_536 },
        H.page("field-id-delta-overflows-uint32", .invalidValue) { $0.fieldIds[1] = max32 },
        H.page("field-ids-sum-past-uint16", .invalidValue) { $0.fieldIds[14] = 65_522 },
        H.page("sibling-dot-not-covered-claims-to-dominate", .invalidValue) { $0.siblingCounterDeltas[0] = 1 },
        H.page("sibling-from-a-replica-not-in-the-version", .invalidValue) { $0.replicas.append(0x1234); $0.siblingReplicas[0] = 2 },
        H.page("sibling-counter-wraps-to-0", .invalidValue) { $0.siblingCounterDeltas[1] = -8 },
        H.page("field-repeats-a-dot", .invalidValue) { $0.siblingReplicas[1] = 0 },
        H.page("tombstone-repeats-a-dot", .invalidValue) { m in
            m.tombstoneCounts = [2]
            for _ in 0..<2 { m.siblingReplicas.append(0); m.siblingCounterDeltas.append(0); m.siblingHlcDeltas.append(9); m.siblingAuthors.append(0) }
        },
        H.page("tombstone-dot-not-covered", .invalidValue) { m in
            m.tombstoneCounts = [1]
            m.siblingReplicas.append(1); m.siblingCounterDeltas.append(1); m.siblingHlcDeltas.append(9); m.siblingAuthors.append(0)
        },
        H.page("value-kind-11", .invalidValue) { $0.values.kinds[0] = 11 },
        H.page("id-card-packed-check-value-without-body", .invalidValue) { $0.values.idCards[0] = 10 },
        H.page("digits-19-digits", .invalidValue) { $0.values.digits[0] = 9_999_999_999_999_999_999 },
        H.page("text-16388-bytes", .tooManyElements) { $0.values.texts[0] = String(repeating: "𠮷", count: 4_097) },
    ]

    // MARK: Beyond the limits
    all += [
        H.page("5001-records", .tooManyElements) { $0.collections = Data(repeating: 1, count: 5_001) },
        H.page("4097-replicas", .tooManyElements) { $0.replicas += H.spread(4_095, of: Array(1...4_096), seed: 6) },
        H.page("4097-authors", .tooManyElements) { $0.authors += (0..<4_095).map { "w\($0)" } },
        H.page("200001-version-entries", .tooManyElements) { $0.versionReplicas = H.spread(200_001, of: [0, 1], seed: 7) },
        H.page("200001-siblings", .tooManyElements) { $0.siblingReplicas = H.spread(200_001, of: [0, 1], seed: 8) },
        H.page("200001-field-ids", .tooManyElements) { $0.fieldIds = H.spread(200_001, of: [0, 1], seed: 9) },
        H.page("200001-value-kinds", .tooManyElements) { $0.values.kinds = Data(H.spread(200_001, of: [0, 1] as [UInt8], seed: 10)) },
    ]
    return all
}()

private extension UInt64 {
    var signed: Int64 { Int64(bitPattern: self) }
}
