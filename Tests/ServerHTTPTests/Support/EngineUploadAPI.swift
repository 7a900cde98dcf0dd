import DataProtection
import FieldModel
import Foundation
import ServerEngine
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import Synchronization

/// The bytes of attachments in memory, as the server's stores keep them (content-addressed,
/// partial until whole and checked), for driving the uploader against the engine's own rules.
actor InMemoryAttachmentStore: AttachmentStore {
    private var partial: [String: [UInt8]] = [:]
    private var complete: [String: [UInt8]] = [:]
    private var records: [RecordID: RecordState] = [:]

    func hold(_ record: RecordState) { records[record.key.id] = record }

    func file(_ sha256: String) -> [UInt8]? { complete[sha256] }

    func heldBytes(sha256: String) -> HeldBytes {
        if let whole = complete[sha256] { return .complete(Int64(whole.count)) }
        return partial[sha256].map { .partial(Int64($0.count)) } ?? HeldBytes.none
    }

    func appendBytes(sha256: String, byteCount: Int64, offset: Int64, chunk: [UInt8]) -> AppendOutcome {
        if complete[sha256] != nil { return .completed }
        let held = partial[sha256] ?? []
        guard offset == Int64(held.count) else { return .offsetMismatch(held: heldBytes(sha256: sha256)) }
        let now = held + chunk
        guard Int64(now.count) == byteCount else {
            partial[sha256] = now
            return .held(Int64(now.count))
        }
        partial[sha256] = nil
        let actual = ContentHash.sha256(now)
        guard actual == sha256 else { return .hashMismatch(actual: actual) }
        complete[sha256] = now
        return .completed
    }

    func readBytes(sha256: String, range: Range<Int64>) -> [UInt8]? {
        complete[sha256].map { Array($0[Int(range.lowerBound)..<Int(range.upperBound)]) }
    }

    func attachmentRecord(_ id: RecordID) -> RecordState? { records[id] }
    func isFiledRelative(worker: WorkerID, household: RecordID) -> Bool { false }
    func collectAttachmentBytes(writtenBefore milliseconds: Int64) -> Int { 0 }
    func attachmentTotals() -> (files: Int, bytes: Int64) { (complete.count, complete.values.reduce(0) { $0 + Int64($1.count) }) }
}

/// The upload calls answered by the engine's `AttachmentUploads` (the rules the HTTP routes
/// apply), with faults a test sets:
/// a connection cut before a call reaches the server or after it was applied (the answer lost),
/// and another device's chunk landing first.
final class EngineUploadAPI: AttachmentUploadAPI {
    enum Fault: Sendable { case cutBefore, cutAfter, otherDeviceFirst }

    let uploads: AttachmentUploads
    let store: InMemoryAttachmentStore
    let worker: Worker
    private let calls = Mutex(0)
    private let puts = Mutex(0)
    /// The fault of each call, by its number from 0 over the API's life.
    private let faults: Mutex<[Int: Fault]>

    init(worker: Worker, chunkMaxBytes: Int, faults: [Int: Fault] = [:]) {
        store = InMemoryAttachmentStore()
        uploads = AttachmentUploads(store: store, chunkMaxBytes: chunkMaxBytes, policy: .standard)
        self.worker = worker
        self.faults = Mutex(faults)
    }

    var putCount: Int { puts.withLock { $0 } }

    func setFaults(_ new: [Int: Fault]) {
        let base = calls.withLock { $0 }
        faults.withLock { $0 = Dictionary(uniqueKeysWithValues: new.map { (base + $0.key, $0.value) }) }
    }

    func state(_ id: RecordID) async throws(TransportError) -> AttachmentUploadAnswer {
        try await answer { () async throws(AttachmentError) in try await self.uploads.state(id, for: self.worker) } sideEffect: { _ in }
    }

    func put(_ id: RecordID, offset: Int64, chunk: [UInt8], chunkSHA256: String) async throws(TransportError) -> AttachmentUploadAnswer {
        puts.withLock { $0 += 1 }
        return try await answer { () async throws(AttachmentError) in
            try await self.uploads.append(id, offset: offset, chunk: chunk, chunkSHA256: chunkSHA256, for: self.worker)
        } sideEffect: { fault in
            // Another device with the same bytes sends this very chunk first.
            if fault == .otherDeviceFirst {
                _ = try? await self.uploads.append(id, offset: offset, chunk: chunk, chunkSHA256: chunkSHA256, for: self.worker)
            }
        }
    }

    private func answer(_ call: @Sendable () async throws(AttachmentError) -> UploadState,
                        sideEffect: @Sendable (Fault?) async -> Void) async throws(TransportError) -> AttachmentUploadAnswer {
        let number = calls.withLock { n in defer { n += 1 }; return n }
        let fault = faults.withLock { $0[number] }
        if fault == .cutBefore { throw TransportError.unreachable("cut before call \(number)") }
        await sideEffect(fault)
        let answer: AttachmentUploadAnswer
        do {
            answer = .state(try await call())
        } catch {
            answer = .refused(status: error.status, ErrorDocument(code: error.code.rawValue, message: error.message, received: error.held?.length))
        }
        if fault == .cutAfter { throw TransportError.unreachable("cut after call \(number): its answer was lost") }
        return answer
    }
}
