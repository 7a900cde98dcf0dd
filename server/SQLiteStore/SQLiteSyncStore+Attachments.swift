import Dispatch
import FieldModel
import Foundation
import GRDB
import ServerEngine
import SyncCore

/// Attachment bytes beside the database: files in `attachmentDirectory` (`AttachmentFiles`),
/// each hash's appends taking turns (`PerHashLock`), the blocking file calls off the
/// concurrency pool's threads.
extension SQLiteSyncStore: AttachmentStore {
    /// Where the bytes are kept: `attachments` in the database file's directory (the data directory).
    public var attachmentDirectory: String { attachmentFiles.directory }

    static func attachmentDirectory(besideDatabase path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("attachments").path
    }

    public func heldBytes(sha256: String) async throws -> HeldBytes {
        let sha256 = try AttachmentName.checked(sha256)
        return try await attachmentLocks.withLock(sha256) { try await Self.offload { [attachmentFiles] in try attachmentFiles.held(sha256) } }
    }

    public func appendBytes(sha256: String, byteCount: Int64, offset: Int64, chunk: [UInt8]) async throws -> AppendOutcome {
        let sha256 = try AttachmentName.checked(sha256)
        return try await attachmentLocks.withLock(sha256) {
            try await Self.offload { [attachmentFiles] in
                try attachmentFiles.append(sha256, byteCount: byteCount, offset: offset, chunk: chunk)
            }
        }
    }

    public func readBytes(sha256: String, range: Range<Int64>) async throws -> [UInt8]? {
        let sha256 = try AttachmentName.checked(sha256)
        // A complete file never changes (it is renamed into place whole), so reads take no turn.
        return try await Self.offload { [attachmentFiles] in try attachmentFiles.read(sha256, range: range) }
    }

    public func attachmentRecord(_ id: RecordID) async throws -> RecordState? {
        let state = try await guarded("attachmentRecord") {
            try await pool.read { db in
                try Data.fetchOne(db, sql: "SELECT state FROM records WHERE id = ?", arguments: [id.blob]).map(codec.state)
            }
        }
        return state?.key.collection == .attachment ? state : nil
    }

    public func isFiledRelative(worker: WorkerID, household: RecordID) async throws -> Bool {
        let filings = try await guarded("isFiledRelative") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT filing_id, village, staff, household, relation, filed_on FROM filings WHERE staff = ? AND household = ?
                    """, arguments: [worker.rawValue, household.blob]).map(Self.filing)
            }
        }
        return Recusal.filing(binding: worker, to: household, in: filings) != nil
    }

    /// Reads the hashes every attachment record names, then removes each other file last written
    /// before `milliseconds`, in its hash's turn (an upload going on keeps its file young).
    public func collectAttachmentBytes(writtenBefore milliseconds: Int64) async throws -> Int {
        let named = try await guarded("collectAttachmentBytes") {
            try await pool.read { db in
                try Data.fetchAll(db, sql: "SELECT state FROM records WHERE collection = ?", arguments: [Int64(RecordCollection.attachment.rawValue)])
                    .compactMap { try codec.state($0).attachmentSHA256 }
            }
        }
        let keep = Set(named)
        let files = try await Self.offload { [attachmentFiles] in try attachmentFiles.heldFiles() }
        var removed = 0
        for file in files where !keep.contains(file.sha256) {
            let gone = try await attachmentLocks.withLock(file.sha256) {
                try await Self.offload { [attachmentFiles] in try attachmentFiles.remove(file, ifWrittenBefore: milliseconds) }
            }
            if gone { removed += 1 }
        }
        return removed
    }

    public func attachmentTotals() async throws -> (files: Int, bytes: Int64) {
        let totals = try await Self.offload { [attachmentFiles] in try attachmentFiles.totals() }
        return (totals.files, totals.bytes)
    }

    /// Runs blocking file calls (fsync can take a while) on a dispatch thread, so the
    /// concurrency pool's few threads go on serving requests meanwhile.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
