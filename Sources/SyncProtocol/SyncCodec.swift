import FieldModel
import Foundation
import SwiftProtobuf
import SyncCore

/// Sync messages ↔ bytes on the wire: protobuf, deflated (zlib format).
///
/// Decoding is parse-then-verify: the frame is inflated within `limits.frame`, the protobuf is
/// parsed, and every column is checked before a message value exists.
public enum SyncCodec {
    // MARK: Requests

    public static func encodeRequest(_ r: SyncRequest, level: Int32 = 6) -> [UInt8] {
        Deflate.compress(requestBody(r), level: level)
    }

    /// The protobuf bytes of a request, before deflate.
    public static func requestBody(_ r: SyncRequest) -> [UInt8] {
        var m = Doorstep_Sync_V1_SyncRequest()
        m.protocolVersion = r.protocolVersion
        m.schemaVersion = r.schemaVersion
        m.replica = r.replica.rawValue
        m.appVersion = r.appVersion
        m.cursors = cursorMessages(r.cursors)
        if !r.changes.isEmpty {
            // A record is named by the handle it was decoded with, or by the one the device holds.
            let handles = r.changes.indices.map { r.unresolvedHandles[$0] ?? r.recordHandles[r.changes[$0].record.id] ?? 0 }
            m.batch = ChangeBatchCodec.encode(r.changes, sender: r.replica, schemaVersion: r.schemaVersion,
                                              protocolVersion: r.protocolVersion, handles: handles)
        }
        var h = Doorstep_Sync_V1_DeviceHealth()
        h.outboxCount = UInt32(clamping: r.health.outboxCount)
        h.oldestUnsyncedMs = r.health.oldestUnsyncedMilliseconds ?? 0
        h.localRecords = UInt32(clamping: r.health.localRecords)
        h.freeStorageBytes = r.health.freeStorageBytes ?? -1
        h.rejectedCount = UInt32(clamping: r.health.rejectedCount)
        h.evidenceWaiting = UInt32(clamping: r.health.evidenceWaiting)
        h.evidenceWaitingBytes = max(0, r.health.evidenceWaitingBytes)
        h.oldestEvidenceMs = r.health.oldestEvidenceMilliseconds ?? 0
        m.health = h
        m.pageLimit = UInt32(clamping: r.pageLimit)
        m.deviceTimeMs = r.deviceTimeMilliseconds
        m.serverEpoch = r.serverEpoch
        return serialize(m)
    }

    public static func decodeRequest(_ bytes: [UInt8], limits: MessageLimits = .standard) throws(ProtocolError) -> SyncRequest {
        try decodeRequestBody(inflate(bytes, limits), limits: limits)
    }

    public static func decodeRequestBody(_ body: [UInt8], limits: MessageLimits = .standard) throws(ProtocolError) -> SyncRequest {
        let m: Doorstep_Sync_V1_SyncRequest = try parse(body)
        try checkVersion(m.protocolVersion)
        guard m.replica != 0 else { throw ProtocolError(.invalidValue, "request names replica 0") }
        guard m.appVersion.utf8.count <= 64 else { throw ProtocolError(.tooManyElements, "app_version of \(m.appVersion.utf8.count) bytes, limit 64") }
        let (changes, handles) = m.hasBatch
            ? try ChangeBatchCodec.decode(m.batch, schemaVersion: m.schemaVersion, limits: limits, protocolVersion: m.protocolVersion)
            : ([], [:])
        if m.hasBatch, let first = m.batch.replicas.first, first != m.replica {
            throw ProtocolError(.inconsistent, "batch sender \(ReplicaID(first)) is not the requesting replica \(ReplicaID(m.replica))")
        }
        let h = m.health
        var request = SyncRequest(
            schemaVersion: m.schemaVersion, replica: ReplicaID(m.replica), appVersion: m.appVersion,
            cursors: try cursors(m.cursors, limits), changes: changes,
            health: DeviceHealth(outboxCount: Int(h.outboxCount), oldestUnsyncedMilliseconds: h.oldestUnsyncedMs == 0 ? nil : h.oldestUnsyncedMs,
                                 localRecords: Int(h.localRecords), freeStorageBytes: h.freeStorageBytes < 0 ? nil : h.freeStorageBytes,
                                 rejectedCount: Int(h.rejectedCount), evidenceWaiting: Int(h.evidenceWaiting),
                                 evidenceWaitingBytes: max(0, h.evidenceWaitingBytes),
                                 oldestEvidenceMilliseconds: h.oldestEvidenceMs <= 0 ? nil : h.oldestEvidenceMs),
            pageLimit: Int(m.pageLimit), deviceTimeMilliseconds: m.deviceTimeMs, protocolVersion: m.protocolVersion)
        request.unresolvedHandles = handles
        request.serverEpoch = m.serverEpoch
        return request
    }

    // MARK: Responses

    public static func encodeResponse(_ r: SyncResponse, level: Int32 = 6) -> [UInt8] {
        Deflate.compress(responseBody(r), level: level)
    }

    public static func responseBody(_ r: SyncResponse) -> [UInt8] {
        var m = Doorstep_Sync_V1_SyncResponse()
        m.protocolVersion = r.protocolVersion
        m.serverTimeMs = r.serverTimeMilliseconds
        m.ackedCounters = r.acked
        m.rejections = r.rejections.map {
            var x = Doorstep_Sync_V1_Rejection()
            x.counter = $0.counter
            x.reason = $0.reason
            x.message = $0.message
            return x
        }
        if !r.page.isEmpty { m.page = StateBlockCodec.encode(r.page, protocolVersion: r.protocolVersion, handles: r.pageHandles) }
        m.cursors = cursorMessages(r.cursors)
        m.hasMore_p = r.hasMore
        m.digests = r.digests.sorted { $0.key < $1.key }.map { village, digest in
            var d = Doorstep_Sync_V1_VillageDigest()
            d.village = village.rawValue
            d.digestHigh = digest.value.high
            d.digestLow = digest.value.low
            d.recordCount = UInt32(clamping: digest.recordCount)
            return d
        }
        m.droppedVillages = r.droppedVillages.map(\.rawValue)
        m.rebootstrapVillages = r.rebootstrapVillages.map(\.rawValue)
        m.warnings = r.warnings.map {
            var w = Doorstep_Sync_V1_ScopeWarning()
            w.code = $0.code
            w.message = $0.message
            return w
        }
        m.serverEpoch = r.serverEpoch
        m.appliedThrough = r.appliedThrough
        m.backedUpThrough = r.backedUpThrough
        return serialize(m)
    }

    public static func decodeResponse(_ bytes: [UInt8], limits: MessageLimits = .standard) throws(ProtocolError) -> SyncResponse {
        try decodeResponseBody(inflate(bytes, limits), limits: limits)
    }

    public static func decodeResponseBody(_ body: [UInt8], limits: MessageLimits = .standard) throws(ProtocolError) -> SyncResponse {
        let m: Doorstep_Sync_V1_SyncResponse = try parse(body)
        try checkVersion(m.protocolVersion)
        try Check.limit(m.ackedCounters.count + m.rejections.count, limits.maxChanges, "acknowledgements and rejections")
        var digests: [VillageCode: ScopeDigest] = [:]
        try Check.limit(m.digests.count, limits.maxVillages, "digests")
        for d in m.digests {
            let v = try Check.village(Int64(bitPattern: d.village), "digest")
            let digest = ScopeDigest(value: Digest128(high: d.digestHigh, low: d.digestLow), recordCount: Int(d.recordCount))
            guard digests.updateValue(digest, forKey: v) == nil else { throw ProtocolError(.inconsistent, "village \(v) has two digests") }
        }
        let (page, handles) = m.hasPage ? try StateBlockCodec.decode(m.page, limits: limits, protocolVersion: m.protocolVersion) : ([], [])
        var response = SyncResponse(
            serverTimeMilliseconds: m.serverTimeMs, acked: m.ackedCounters,
            rejections: m.rejections.map { Rejection(counter: $0.counter, reason: $0.reason, message: $0.message) },
            page: page,
            cursors: try cursors(m.cursors, limits), hasMore: m.hasMore_p, digests: digests,
            droppedVillages: try villages(m.droppedVillages, limits), rebootstrapVillages: try villages(m.rebootstrapVillages, limits),
            warnings: m.warnings.map { ScopeWarning(code: $0.code, message: $0.message) }, protocolVersion: m.protocolVersion)
        response.pageHandles = handles
        response.serverEpoch = m.serverEpoch
        response.appliedThrough = m.appliedThrough
        response.backedUpThrough = m.backedUpThrough
        return response
    }

    // MARK: Shared

    static func checkVersion(_ version: UInt32) throws(ProtocolError) {
        guard SyncProtocolVersion.supported.contains(version) else {
            throw ProtocolError(.unsupportedProtocol,
                                "protocol version \(version), this side speaks \(SyncProtocolVersion.oldest) to \(SyncProtocolVersion.current)")
        }
    }

    static func inflate(_ bytes: [UInt8], _ limits: MessageLimits) throws(ProtocolError) -> [UInt8] {
        do { return try Inflate.decompress(bytes, limits: limits.frame) } catch {
            throw ProtocolError(.frame, "\(error.code.rawValue): \(error.message)")
        }
    }

    static func serialize(_ m: some SwiftProtobuf.Message) -> [UInt8] {
        // Serializing a message built from valid Swift values cannot fail (no required fields in proto3).
        (try? [UInt8](m.serializedBytes() as [UInt8])) ?? []
    }

    static func parse<M: SwiftProtobuf.Message>(_ body: [UInt8]) throws(ProtocolError) -> M {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 8
        options.discardUnknownFields = true
        do { return try M(serializedBytes: body, options: options) } catch {
            throw ProtocolError(.malformed, "not a valid \(M.protoMessageName): \(error)")
        }
    }

    static func cursorMessages(_ cursors: [VillageCode: UInt64]) -> [Doorstep_Sync_V1_VillageCursor] {
        cursors.sorted { $0.key < $1.key }.map { v, p in
            var c = Doorstep_Sync_V1_VillageCursor()
            c.village = v.rawValue
            c.position = p
            return c
        }
    }

    static func cursors(_ list: [Doorstep_Sync_V1_VillageCursor], _ limits: MessageLimits) throws(ProtocolError) -> [VillageCode: UInt64] {
        try Check.limit(list.count, limits.maxVillages, "cursors")
        var out: [VillageCode: UInt64] = [:]
        for c in list {
            let v = try Check.village(Int64(bitPattern: c.village), "cursor")
            guard out.updateValue(c.position, forKey: v) == nil else {
                throw ProtocolError(.inconsistent, "village \(v) has two cursors")
            }
        }
        return out
    }

    static func villages(_ list: [UInt64], _ limits: MessageLimits) throws(ProtocolError) -> [VillageCode] {
        try Check.limit(list.count, limits.maxVillages, "villages")
        var out: [VillageCode] = []
        for raw in list { out.append(try Check.village(Int64(bitPattern: raw), "village list")) }
        return out
    }
}
