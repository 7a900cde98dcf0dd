import FieldModel
import Foundation
import GRDB

/// The rows of `evidence_uploads`: one per attachment whose file waits for upload. A row is
/// written in the transaction that writes its attachment record, and removed when the server
/// holds the file; its file is removed with the last row naming its hash.
enum EvidenceQueue {
    enum State: Int {
        case queued = 0
        /// The uploader gave up (the file does not hash to its record, or the server refuses it
        /// for good): kept, with the reason, for the worker and ops to see.
        case failed = 1
    }

    static func insert(_ db: Database, _ attachment: Attachment, createdAt ms: Int64) throws {
        try db.execute(sql: """
            INSERT INTO evidence_uploads (attachment_id, sha256, byte_count, content_type, created_ms, state)
            VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [Data(attachment.id.bytes), attachment.sha256, attachment.byteCount, attachment.contentType.rawValue, ms,
                             State.queued.rawValue])
    }

    /// Every queued file, oldest first, with where its attachment's change stands in the outbox.
    static func all(_ db: Database, files: EvidenceFiles) throws -> [PendingEvidence] {
        try Row.fetchAll(db, sql: """
            SELECT e.attachment_id, e.sha256, e.byte_count, e.content_type, e.created_ms, e.failure_code, e.failure_message,
                   (SELECT COUNT(*) FROM outbox o WHERE o.collection = ? AND o.record_id = e.attachment_id AND o.status = ?) AS unacknowledged,
                   (SELECT COUNT(*) FROM outbox o WHERE o.collection = ? AND o.record_id = e.attachment_id AND o.status = ?) AS rejected
            FROM evidence_uploads e ORDER BY e.created_ms, e.attachment_id
            """, arguments: [Int64(RecordCollection.attachment.rawValue), OutboxStatus.pending.rawValue,
                             Int64(RecordCollection.attachment.rawValue), OutboxStatus.rejected.rawValue]).map { row in
            let idBytes: Data = row["attachment_id"]
            let sha256: String = row["sha256"]
            let type: String = row["content_type"]
            guard let id = RecordID(bytes: [UInt8](idBytes)), let contentType = AttachmentContentType(rawValue: type) else {
                throw ReplicaError(.inconsistent, "evidence_uploads holds a row that is not an attachment's: id \(idBytes.count) bytes, type \(type)")
            }
            let record: PendingEvidence.RecordStanding =
                (row["rejected"] as Int) > 0 ? .rejected : (row["unacknowledged"] as Int) > 0 ? .awaitingAcknowledgement : .acknowledged
            let failure = (row["failure_code"] as String?).map { EvidenceFailure(code: $0, message: row["failure_message"] ?? "") }
            return PendingEvidence(id: id, sha256: sha256, byteCount: row["byte_count"], contentType: contentType,
                                   createdMilliseconds: row["created_ms"], record: record, failure: failure,
                                   file: URL(fileURLWithPath: files.path(sha256)))
        }
    }

    /// Removes the row of `id`; returns its hash when no other row names it (its file may go).
    static func remove(_ db: Database, _ id: RecordID) throws -> String? {
        guard let sha256 = try String.fetchOne(db, sql: "SELECT sha256 FROM evidence_uploads WHERE attachment_id = ?",
                                               arguments: [Data(id.bytes)]) else { return nil }
        try db.execute(sql: "DELETE FROM evidence_uploads WHERE attachment_id = ?", arguments: [Data(id.bytes)])
        return try names(db, sha256) ? nil : sha256
    }

    static func fail(_ db: Database, _ id: RecordID, _ failure: EvidenceFailure) throws {
        try db.execute(sql: "UPDATE evidence_uploads SET state = ?, failure_code = ?, failure_message = ? WHERE attachment_id = ?",
                       arguments: [State.failed.rawValue, failure.code, failure.message, Data(id.bytes)])
    }

    /// A row names `sha256`.
    static func names(_ db: Database, _ sha256: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM evidence_uploads WHERE sha256 = ?)", arguments: [sha256]) ?? false
    }

    static func summary(_ db: Database) throws -> EvidenceSummary {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS files, COALESCE(SUM(byte_count), 0) AS bytes, MIN(created_ms) AS oldest,
                   COALESCE(SUM(state = \(State.failed.rawValue)), 0) AS failed
            FROM evidence_uploads
            """)
        return EvidenceSummary(waiting: row?["files"] ?? 0, bytes: row?["bytes"] ?? 0, oldestCreatedMilliseconds: row?["oldest"],
                               failed: row?["failed"] ?? 0)
    }
}
