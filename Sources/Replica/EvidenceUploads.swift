import FieldModel
import Foundation
import GRDB

/// An evidence file waiting for upload (SPEC §15.2).
public struct PendingEvidence: Sendable, Hashable {
    /// Where the attachment record's change stands: the server takes the file only once it
    /// holds the record.
    public enum RecordStanding: Sendable, Hashable {
        /// In the outbox, not yet acknowledged: the upload waits for a sync.
        case awaitingAcknowledgement
        /// The server acknowledged it: the upload may start.
        case acknowledged
        /// The server refused the record (see `outboxSummary().rejected`): the file is never taken.
        case rejected
    }

    /// The attachment record's id.
    public let id: RecordID
    public let sha256: String
    public let byteCount: Int64
    public let contentType: AttachmentContentType
    /// When the evidence was recorded (device clock, ms).
    public let createdMilliseconds: Int64
    public let record: RecordStanding
    /// Why the uploader gave up on the file, if it did.
    public let failure: EvidenceFailure?
    /// The file, `<replica path>.evidence/<sha256>`.
    public let file: URL

    public var recordAcknowledged: Bool { record == .acknowledged }
    /// An uploader sends it now: its record is acknowledged and nobody gave up on it.
    public var uploadable: Bool { recordAcknowledged && failure == nil }
}

/// Why an upload was given up: the server's refusal code (or the device's) and its message.
public struct EvidenceFailure: Sendable, Hashable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

extension Replica {
    var evidenceFiles: EvidenceFiles { EvidenceFiles(replicaPath: path) }

    /// Every evidence file still waiting for upload, oldest first; an uploader sends those that
    /// are `uploadable`.
    public func pendingEvidence() throws(ReplicaError) -> [PendingEvidence] {
        let files = evidenceFiles
        return try read { db in try EvidenceQueue.all(db, files: files) }
    }

    /// The server holds the file of attachment `id` (its upload state said `complete`): the queue
    /// row goes, and then the file unless another queued attachment names the same bytes.
    /// Marking one that is not queued does nothing.
    public func markEvidenceUploaded(_ id: RecordID) throws(ReplicaError) {
        let files = evidenceFiles
        // The file goes after the row's removal committed (a kill between them once left a queued
        // row without its file: CrashLoopTests), still before the next write: a capture of the
        // same bytes either committed its row before (the file stays) or finds the file gone in
        // its transaction and writes it again.
        _ = try write({ db in try EvidenceQueue.remove(db, id) }, afterCommit: { orphan in
            if let orphan { try files.remove(orphan) }
        })
    }

    /// The uploader gives up on the file of attachment `id` for `failure`: it stays queued, with
    /// the reason, and is no longer `uploadable`.
    public func markEvidenceFailed(_ id: RecordID, _ failure: EvidenceFailure) throws(ReplicaError) {
        try write { db in try EvidenceQueue.fail(db, id, failure) }
    }

    /// Removes files no queued attachment names, and temporary files: what a crash between a
    /// file's write and its transaction's commit, or a failed capture's cleanup, left behind.
    func removeUnqueuedEvidence() throws(ReplicaError) {
        let files = evidenceFiles
        try write { db in
            for name in files.names() {
                if try !EvidenceQueue.names(db, name) { try files.remove(name) }
            }
        }
    }
}
