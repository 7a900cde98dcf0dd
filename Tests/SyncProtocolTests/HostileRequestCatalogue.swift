import FieldModel
import Foundation
import SyncCore
@testable import SyncProtocol

/// Hostile sync requests. Most start from `Hostile.push`, whose batch holds three record groups —
/// a visit create (context {}), four household edits (context {server:412}), a member delete
/// (context {server:413}) — with replica table [device, server] and one author.
let hostileRequests: [HostileMessage] = {
    typealias H = Hostile
    let body = SyncCodec.serialize(H.push)
    let v = VectorFixtures.village.rawValue
    let max32 = UInt32.max
    var all: [HostileMessage] = []

    // MARK: Frame and protobuf
    all += [
        H.frame(.request, "zero-bytes", .frame, []),
        H.frame(.request, "protobuf-not-deflated", .frame, body),
        H.frame(.request, "deflated-twice", .frame, Deflate.compress(Deflate.compress(body))),
        H.frame(.request, "frame-cut-in-half", .frame, Array(Deflate.compress(body).prefix(200))),
        H.raw(.request, "deflate-bomb-valid-message-9MiB-of-unknown-field", .frame, body: H.padded(body, zeros: 9 << 20)),
        H.raw(.request, "noise-512B", .malformed, body: noise(512, seed: 11)),
        H.raw(.request, "http-request-text", .malformed, body: Array("POST /v1/sync HTTP/1.1\r\nHost: doorstep\r\n\r\n".utf8)),
        H.raw(.request, "varint-of-eleven-bytes", .malformed, body: [UInt8](repeating: 0xff, count: 10) + [0x01]),
        H.raw(.request, "field-number-zero", .malformed, body: [0x00, 0x01] + body),
        H.raw(.request, "protobuf-cut-in-half", .malformed, body: Array(body.prefix(body.count / 2))),
        H.raw(.request, "protobuf-cut-before-last-byte", .malformed, body: Array(body.dropLast())),
        H.raw(.request, "nested-unknown-groups-100-deep", .malformed, body: body + H.nestedGroups(100)),
        H.raw(.request, "end-group-without-start", .malformed, body: body + H.tag(100, 4)),
        H.raw(.request, "app-version-invalid-utf8", .malformed, body: body + H.tag(4, 2) + [0x02, 0xc3, 0x28]),
        H.raw(.request, "app-version-length-claims-4294967295", .malformed, body: body + H.tag(4, 2) + H.varint(UInt64(max32)) + [0x31]),
        H.raw(.request, "batch-length-claims-4294967295", .malformed, body: H.tag(1, 0) + [1] + H.tag(6, 2) + H.varint(UInt64(max32)) + [0x0a]),
        H.raw(.request, "context-sizes-packed-length-claims-4294967295", .malformed,
              body: H.tag(1, 0) + [1] + H.tag(6, 2) + [0x06] + H.tag(6, 2) + H.varint(UInt64(max32))),
    ]

    // MARK: The request itself
    all += [
        H.raw(.request, "empty-message-has-version-0", .unsupportedProtocol, body: []),
        H.request("protocol-version-3", .unsupportedProtocol) { $0.protocolVersion = 3 },
        H.request("protocol-version-4294967295", .unsupportedProtocol) { $0.protocolVersion = max32 },
        H.raw(.request, "protocol-version-with-fixed32-wire-type", .unsupportedProtocol, body: H.tag(1, 5) + [1, 0, 0, 0] + body.dropFirst(2)),
        H.request("replica-0", .invalidValue, from: H.oneValue(.null)) { $0.replica = 0; $0.clearBatch() },
        H.request("replica-0-with-batch", .invalidValue) { $0.replica = 0 },
        H.request("app-version-65-bytes", .tooManyElements) { $0.appVersion = String(repeating: "9", count: 65) },
        H.request("app-version-22-cjk-characters", .tooManyElements) { $0.appVersion = String(repeating: "运", count: 22) },
        H.request("batch-sender-is-not-the-requesting-replica", .inconsistent) { $0.replica = 0x1234_5678_9abc_def0 },
        H.request("empty-batch-names-another-sender", .inconsistent) { $0.batch = .init(); $0.batch.replicas = [0x5e00_0000_0000_0000] },
        H.request("two-cursors-for-one-village", .inconsistent) { $0.cursors.append($0.cursors[0]) },
        H.request("20001-cursors", .tooManyElements) { m in
            m.cursors = H.spread(20_001, of: Array(0..<4), seed: 1).map {
                var c = Doorstep_Sync_V1_VillageCursor()
                c.village = v
                c.position = UInt64($0)
                return c
            }
        },
    ]
    let badVillages: [(String, UInt64)] = [("0", 0), ("11-digits", v / 10), ("13-digits", v * 10 + 1), ("negative", UInt64.max),
                                           ("zero-township-part", 140821000001), ("zero-village-part", 140821101000),
                                           ("unknown-province", 990821101001)]
    for (name, raw) in badVillages {
        all.append(H.request("cursor-village-\(name)", .invalidValue) { $0.cursors[0].village = raw })
    }

    // MARK: Counts that claim 2^32 - 1 elements
    all += [
        H.batch("context-sizes-claim-4294967295", .inconsistent) { $0.contextSizes[1] = max32 },
        H.batch("context-sizes-sum-wraps-to-the-entry-count-in-32-bits", .inconsistent) { $0.contextSizes = [max32, 1, 2] },
        H.batch("change-counts-claim-4294967295", .inconsistent) { $0.changeCounts[2] = max32 },
        H.batch("change-counts-sum-wraps-to-the-op-count-in-32-bits", .inconsistent) { $0.changeCounts = [max32, 3, 4] },
        H.batch("create-sizes-claim-4294967295", .inconsistent) { $0.createSizes[0] = max32 },
        H.value("id-counts-claim-4294967295", .inconsistent, .ids([VectorFixtures.member])) { $0.idCounts[0] = max32 },
    ]

    // MARK: Parallel columns that disagree
    all += [
        H.batch("record-ids-not-a-multiple-of-16", .inconsistent) { $0.recordIds.removeLast() },
        H.batch("record-ids-one-group-too-many", .inconsistent) { $0.recordIds.append(Data(count: 16)) },
        H.batch("collections-one-too-many", .inconsistent) { $0.collections.append(1) },
        H.batch("scope-deltas-one-missing", .inconsistent) { $0.scopeDeltas.removeLast() },
        H.batch("context-sizes-one-too-many", .inconsistent) { $0.contextSizes.append(0) },
        H.batch("change-counts-one-missing", .inconsistent) { $0.changeCounts.removeLast() },
        H.batch("schema-versions-one-for-three-groups", .inconsistent) { $0.schemaVersions = [1] },
        H.batch("context-counters-one-missing", .inconsistent) { $0.contextCounters.removeLast() },
        H.batch("context-replicas-one-too-many", .inconsistent) { $0.contextReplicas.append(1) },
        H.batch("ops-one-too-many", .inconsistent) { $0.ops.append(3) },
        H.batch("counter-deltas-one-missing", .inconsistent) { $0.counterDeltas.removeLast() },
        H.batch("hlc-deltas-one-too-many", .inconsistent) { $0.hlcDeltas.append(1) },
        H.batch("author-indexes-one-missing", .inconsistent) { $0.authorIndexes.removeLast() },
        H.batch("create-sizes-one-too-many", .inconsistent) { $0.createSizes.append(0) },
        H.batch("create-fields-one-missing", .inconsistent) { $0.createFields.removeLast() },
        H.batch("changes-but-no-replica-table", .inconsistent) { $0.replicas = [] },
        H.batch("changes-from-replica-0", .inconsistent) { $0.replicas[0] = 0 },
        H.batch("group-with-no-changes", .inconsistent) { $0.changeCounts = [0, 5, 1] },
        H.batch("context-replica-index-beyond-table", .inconsistent) { $0.contextReplicas[0] = 2 },
        H.batch("author-index-beyond-table", .inconsistent) { $0.authorIndexes[3] = 1 },
    ]

    // MARK: Value columns
    all += [
        H.batch("value-kinds-one-missing", .inconsistent) { $0.values.kinds.removeLast() },
        H.batch("value-kinds-one-left-over", .inconsistent) { $0.values.kinds.append(0) },
        H.batch("ints-exhausted", .inconsistent) { $0.values.ints.removeLast() },
        H.batch("ints-one-left-over", .inconsistent) { $0.values.ints.append(0) },
        H.batch("texts-exhausted", .inconsistent) { $0.values.texts.removeLast() },
        H.batch("dates-exhausted", .inconsistent) { $0.values.dates.removeLast() },
        H.batch("dates-one-left-over", .inconsistent) { $0.values.dates.append(0) },
        H.batch("ids-not-a-multiple-of-16", .inconsistent) { $0.values.ids.append(0) },
        H.batch("ids-exhausted", .inconsistent) { $0.values.ids = Data() },
        H.batch("ids-one-left-over", .inconsistent) { $0.values.ids.append(Data(count: 16)) },
        H.batch("digits-exhausted", .inconsistent) { $0.values.digits = [] },
        H.batch("id-cards-one-left-over", .inconsistent) { $0.values.idCards.append(140821196503120013) },
        H.batch("id-counts-one-left-over", .inconsistent) { $0.values.idCounts.append(0) },
        H.value("id-counts-claim-more-ids-than-sent", .inconsistent, .ids([VectorFixtures.member])) { $0.idCounts[0] = 2 },
        H.value("value-kind-10", .invalidValue, .null) { $0.kinds = Data([10]) },
        H.value("value-kind-255", .invalidValue, .null) { $0.kinds = Data([255]) },
        H.value("id-card-packed-0", .invalidValue, H.sampleValues[0]) { $0.idCards[0] = 0 },
        H.value("id-card-packed-16-digit-body", .invalidValue, H.sampleValues[0]) { $0.idCards[0] = 9_999_999_999_999_999 * 11 + 10 },
        H.value("id-card-packed-18-digit-body", .invalidValue, H.sampleValues[0]) { $0.idCards[0] = 100_000_000_000_000_000 * 11 },
        H.value("id-card-packed-uint64-max", .invalidValue, H.sampleValues[0]) { $0.idCards[0] = .max },
        H.value("digits-0", .invalidValue, H.sampleValues[1]) { $0.digits[0] = 0 },
        H.value("digits-19-digits", .invalidValue, H.sampleValues[1]) { $0.digits[0] = 1_000_000_000_000_000_000 },
        H.value("digits-uint64-max", .invalidValue, H.sampleValues[1]) { $0.digits[0] = .max },
        H.value("text-16385-bytes", .tooManyElements, .text("ok")) { $0.texts[0] = String(repeating: "a", count: 16_385) },
        H.value("text-5462-cjk-characters", .tooManyElements, .text("ok")) { $0.texts[0] = String(repeating: "运", count: 5_462) },
        H.value("200001-value-kinds", .tooManyElements, .null) { $0.kinds = Data(H.spread(200_001, of: [0, 1] as [UInt8], seed: 2)) },
    ]

    // MARK: Values out of their domain
    for (name, byte) in [("0", 0), ("8", 8), ("255", 255)] as [(String, UInt8)] {
        all.append(H.batch("collection-\(name)", .invalidValue) { $0.collections[1] = byte })
    }
    for (name, raw) in badVillages where raw <= UInt64(Int64.max) {
        all.append(H.batch("group-village-\(name)", .invalidValue) { $0.scopeDeltas[0] = Int64(raw) })
    }
    all += [
        H.batch("group-village-negative-after-delta", .invalidValue) { $0.scopeDeltas[2] = -2 * Int64(v) },
        H.batch("group-village-int64-min", .invalidValue) { $0.scopeDeltas[0] = .min },
        H.batch("context-names-one-replica-twice", .invalidValue) { $0.contextSizes = [0, 2, 0]; $0.contextCounters = [412, 1] },
        H.batch("context-names-replica-0", .invalidValue) { $0.replicas.append(0); $0.contextReplicas[0] = 2 },
        H.batch("context-names-one-replica-by-two-table-entries", .invalidValue) {
            $0.replicas.append($0.replicas[1]); $0.contextSizes = [0, 2, 0]; $0.contextReplicas = [1, 2]
        },
        H.batch("context-counter-0", .invalidValue) { $0.contextCounters[0] = 0 },
        H.batch("change-counter-0", .invalidValue) { $0.counterDeltas[0] = 0 },
        H.batch("change-counter-wraps-to-0", .invalidValue) { $0.counterDeltas[1] = -7 },
        H.batch("change-repeats-the-previous-dot", .inconsistent) { $0.counterDeltas[1] = 0 },
        H.batch("set-names-field-65536", .invalidValue) { $0.ops[1] = 65_536 << 2 },
        H.batch("transition-names-field-beyond-uint16", .invalidValue) { $0.ops[4] = (1 << 30 - 1) << 2 | 1 },
        H.batch("create-names-a-field-in-its-op", .invalidValue) { $0.ops[0] = 5 << 2 | 2 },
        H.batch("delete-names-a-field", .invalidValue) { $0.ops[5] = 1 << 2 | 3 },
        H.batch("create-names-a-field-twice", .invalidValue) { $0.createFields[1] = $0.createFields[0] },
        H.batch("create-field-beyond-uint16", .invalidValue) { $0.createFields[0] = 70_000 },
        H.batch("author-empty", .invalidValue) { $0.authors[0] = "" },
        H.batch("author-with-space", .invalidValue) { $0.authors[0] = "va 140821101001" },
        H.batch("author-65-bytes", .invalidValue) { $0.authors[0] = String(repeating: "a", count: 65) },
        H.batch("author-cjk", .invalidValue) { $0.authors[0] = "王建国" },
        H.batch("unused-author-with-slash", .invalidValue) { $0.authors.append("../etc/passwd") },
    ]

    // MARK: Beyond the limits
    var tooMany = VectorFixtures.bootstrapRequest
    tooMany.changes = H.chain(MessageLimits.standard.maxChanges + 1)
    all += [
        H.request("2001-changes", .tooManyElements, from: try! .init(serializedBytes: SyncCodec.requestBody(tooMany))) { _ in },
        H.batch("2001-record-groups", .tooManyElements) { $0.collections = Data(repeating: 1, count: 2_001) },
        H.batch("4097-replicas", .tooManyElements) { $0.replicas += H.spread(4_095, of: Array(1...4_096), seed: 3) },
        H.batch("4097-authors", .tooManyElements) { $0.authors += (0..<4_096).map { "w\($0)" } },
        H.batch("200001-context-entries", .tooManyElements) { $0.contextReplicas = H.spread(200_001, of: [0, 1], seed: 4) },
    ]
    return all
}()
