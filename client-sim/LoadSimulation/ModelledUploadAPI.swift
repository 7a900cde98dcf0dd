import FieldModel
import Foundation
import SyncClient
import SyncClientHTTP
import Synchronization

/// The upload calls through the device's modelled link, as `ModelledTransport` carries its
/// syncs: each request and answer waits the profile's latency and its bytes' transfer time, a
/// request may be lost on the way, a connection cut after the server answered. The modelled
/// time each file's requests took is added up in `clock`, across rounds, whatever the link's
/// `timeScale` makes of it in real time.
struct ModelledUploadAPI: AttachmentUploadAPI {
    let inner: any AttachmentUploadAPI
    let link: ModelledLink
    let clock: UploadClock

    /// Request line, headers and the JSON state an answer carries: what a call costs besides a chunk.
    static let overheadBytes = 400

    func state(_ id: RecordID) async throws(TransportError) -> AttachmentUploadAnswer {
        try await exchange(id, sending: Self.overheadBytes) { () async throws(TransportError) in try await inner.state(id) }
    }

    func put(_ id: RecordID, offset: Int64, chunk: [UInt8], chunkSHA256: String) async throws(TransportError) -> AttachmentUploadAnswer {
        try await exchange(id, sending: Self.overheadBytes + chunk.count) { () async throws(TransportError) in
            try await inner.put(id, offset: offset, chunk: chunk, chunkSHA256: chunkSHA256)
        }
    }

    private func exchange(_ id: RecordID, sending bytes: Int,
                          _ call: () async throws(TransportError) -> AttachmentUploadAnswer) async throws(TransportError) -> AttachmentUploadAnswer {
        await pass(id, link.oneWay(bytes))
        if link.lost() { throw .unreachable("upload request lost on the \(link.profile.name) network") }
        let answer = try await call()
        if link.cut() { throw .unreachable("upload connection cut after the server answered") }
        await pass(id, link.oneWay(Self.overheadBytes))
        return answer
    }

    private func pass(_ id: RecordID, _ ms: Double) async {
        clock.add(ms, to: id)
        await link.wait(ms)
    }
}

/// Modelled milliseconds spent on each file's upload so far; a file's total is taken once the
/// server holds it.
final class UploadClock: Sendable {
    private let spent = Mutex<[RecordID: Double]>([:])

    func add(_ ms: Double, to id: RecordID) { spent.withLock { $0[id, default: 0] += ms } }

    /// The file's total, forgotten.
    func take(_ id: RecordID) -> Double { spent.withLock { $0.removeValue(forKey: id) ?? 0 } }
}
