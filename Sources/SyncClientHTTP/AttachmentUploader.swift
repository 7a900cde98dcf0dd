import DataProtection
import FieldModel
import Foundation
import Replica
import SyncClient
import SyncProtocol

/// Sends the replica's evidence files to the server in chunks (SPEC §15.2), apart from record
/// sync: an app calls `upload()` after a sync, and a file waits until its attachment record was
/// acknowledged. Each file starts from what the server says it holds, so an upload cut at any
/// byte resumes where the server stopped, in the same round after an `offset_mismatch` or in
/// the next one after a cut connection.
///
///     let report = await SyncClient(replica: replica, transport: transport).sync()
///     let uploads = await AttachmentUploader(replica: replica, api: HTTPAttachmentUploadAPI(transport)).upload()
public struct AttachmentUploader: Sendable {
    public let replica: Replica
    public let api: any AttachmentUploadAPI
    /// The largest chunk this device sends, whatever the server allows: on a 2G link a smaller
    /// chunk loses less to a cut.
    public var chunkMaxBytes: Int
    /// Called after each chunk the server took, with the attachment and the bytes it now holds.
    public var onChunk: (@Sendable (RecordID, Int64) -> Void)?

    public init(replica: Replica, api: any AttachmentUploadAPI, chunkMaxBytes: Int = 65_536, onChunk: (@Sendable (RecordID, Int64) -> Void)? = nil) {
        self.replica = replica
        self.api = api
        self.chunkMaxBytes = max(1, chunkMaxBytes)
        self.onChunk = onChunk
    }

    /// One round: every uploadable file in turn, until all are sent or the connection fails
    /// (then the round stops: the next resumes from the server's `received`).
    public func upload() async -> AttachmentUploadReport {
        var report = AttachmentUploadReport()
        let database = ReplicaQueue(replica)
        let pending: [PendingEvidence]
        do { pending = try await database.run { replica throws(ReplicaError) in try replica.pendingEvidence() } } catch {
            report.interruption = "cannot read the evidence queue: \(error)"
            return report
        }
        report.awaitingAcknowledgement = pending.count(where: { $0.record == .awaitingAcknowledgement })
        for evidence in pending where evidence.uploadable {
            do {
                try await send(evidence, &report, database)
            } catch {
                report.interruption = "\(error)"
                return report
            }
        }
        return report
    }

    /// Sends one file from where the server holds it. A refusal is recorded and the round goes
    /// on; a transport failure ends the round.
    private func send(_ evidence: PendingEvidence, _ report: inout AttachmentUploadReport, _ database: ReplicaQueue) async throws(TransportError) {
        var file: [UInt8]? = nil
        var serverChunkMax: Int? = nil
        var restartedAfterHashMismatch = false
        var offsetMismatches = 0
        var answer = try await api.state(evidence.id)
        while true {
            let resumeAt: Int64
            switch answer {
            case .state(let state):
                guard state.sha256 == evidence.sha256, state.byteCount == evidence.byteCount else {
                    return await fail(evidence, code: "state_mismatch", "the server's attachment names \(state.byteCount) bytes of \(state.sha256), "
                                + "the device's \(evidence.byteCount) bytes of \(evidence.sha256)", &report, database)
                }
                if state.complete { return await complete(evidence, &report, database) }
                serverChunkMax = state.chunkMaxBytes
                resumeAt = state.received
            case .refused(_, let refusal) where refusal.code == "offset_mismatch" && refusal.received != nil && offsetMismatches < Self.offsetMismatchLimit:
                // Someone else's chunk (another device with the same bytes) moved it on.
                offsetMismatches += 1
                resumeAt = refusal.received!
            case .refused(_, let refusal) where refusal.code == "hash_mismatch" && !restartedAfterHashMismatch:
                // The server dropped what it held: once more from 0 (bytes damaged on the way are
                // not the file's fault); a second mismatch is.
                restartedAfterHashMismatch = true
                resumeAt = 0
            case .refused(let status, let refusal):
                return await fail(evidence, code: refusal.code, "\(status) \(refusal.message)", &report, database)
            }
            if file == nil {
                let path = evidence.file.path
                guard let data = try? await database.run({ _ in FileManager.default.contents(atPath: path) }), data.count == evidence.byteCount else {
                    return await fail(evidence, code: "file_unreadable", "evidence file \(path) is missing or not \(evidence.byteCount) bytes", &report, database)
                }
                file = Array(data)
            }
            answer = try await put(evidence, file!, at: resumeAt, chunkMax: min(serverChunkMax ?? chunkMaxBytes, chunkMaxBytes), &report)
        }
    }

    /// Sends the chunk of `file` at `offset`.
    private func put(_ evidence: PendingEvidence, _ file: [UInt8], at offset: Int64, chunkMax: Int,
                     _ report: inout AttachmentUploadReport) async throws(TransportError) -> AttachmentUploadAnswer {
        guard offset >= 0, offset < Int64(file.count) else {
            return .refused(status: 0, ErrorDocument(code: "beyond_size", message: "the server holds \(offset) of the file's \(file.count) bytes"))
        }
        if Task.isCancelled { throw TransportError.unreachable("the upload of \(evidence.id) was cancelled at offset \(offset)") }
        let start = Int(offset)
        let chunk = Array(file[start..<start + min(max(1, chunkMax), file.count - start)])
        let answer = try await api.put(evidence.id, offset: offset, chunk: chunk, chunkSHA256: ContentHash.sha256(chunk))
        if case .state(let state) = answer {
            report.bytesSent += Int64(chunk.count)
            report.chunksSent += 1
            onChunk?(evidence.id, state.received)
        }
        return answer
    }

    /// The server holds the file: the device lets it go.
    private func complete(_ evidence: PendingEvidence, _ report: inout AttachmentUploadReport, _ database: ReplicaQueue) async {
        let id = evidence.id
        do { try await database.run { replica throws(ReplicaError) in try replica.markEvidenceUploaded(id) } } catch {
            return await fail(evidence, code: "storage", error.description, &report, database)
        }
        report.completed.append(evidence.id)
    }

    /// Records a failure; one of `permanent` also marks the file failed in the replica, so no
    /// later round sends it again.
    private func fail(_ evidence: PendingEvidence, code: String, _ message: String, _ report: inout AttachmentUploadReport,
                      _ database: ReplicaQueue) async {
        let givingUp = Self.permanent.contains(code)
        report.failures.append(AttachmentUploadReport.Failure(id: evidence.id, code: code, message: message, gaveUp: givingUp))
        let id = evidence.id, failure = EvidenceFailure(code: code, message: message)
        if givingUp { _ = try? await database.run { replica throws(ReplicaError) in try replica.markEvidenceFailed(id, failure) } }
    }

    /// Consecutive `offset_mismatch` answers taken before the file is left for the next round.
    static let offsetMismatchLimit = 8

    /// Refusals no retry changes: the file is given up (it stays on the device, marked).
    static let permanent: Set<String> = ["hash_mismatch", "file_too_large", "content_type_mismatch", "attachment_deleted", "beyond_size",
                                         "file_unreadable", "state_mismatch"]
}

/// What one upload round did.
public struct AttachmentUploadReport: Sendable, Hashable {
    public struct Failure: Sendable, Hashable {
        public let id: RecordID
        /// The server's refusal code, or the device's (`file_unreadable`, `state_mismatch`).
        public let code: String
        public let message: String
        /// The file was marked failed and will not be tried again.
        public let gaveUp: Bool
    }

    /// Attachments whose files the server now holds (and the device dropped).
    public var completed: [RecordID] = []
    public var bytesSent: Int64 = 0
    public var chunksSent = 0
    public var failures: [Failure] = []
    /// Files not tried because their record waits for acknowledgement (the next sync).
    public var awaitingAcknowledgement = 0
    /// Why the round stopped before the end (a cut connection, a rate limit), nil when it did not.
    public var interruption: String?

    public init() {}
}
