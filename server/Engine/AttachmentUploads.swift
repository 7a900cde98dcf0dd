import DataProtection
import FieldModel
import SyncCore
import SyncProtocol

/// The object-level rules of attachment bytes (SPEC §15): who may send and fetch which file,
/// each chunk's checks, and the whole's. The bytes themselves are the store's.
public struct AttachmentUploads: Sendable {
    public let store: any AttachmentStore
    public let chunkMaxBytes: Int
    public let policy: PolicySettings

    public init(store: any AttachmentStore, chunkMaxBytes: Int, policy: PolicySettings) {
        self.store = store
        self.chunkMaxBytes = chunkMaxBytes
        self.policy = policy
    }

    /// What the server holds of attachment `id`'s bytes, for a worker who may write its village.
    public func state(_ id: RecordID, for worker: Worker) async throws(AttachmentError) -> UploadState {
        let attachment = try await authorized(id, worker, writing: true)
        return try await state(of: attachment, held: try await held(attachment))
    }

    /// Appends `chunk` at `offset` to attachment `id`'s bytes, after checking the chunk against
    /// `chunkSHA256` (hex), its size, the record's size and, at offset 0, its content type.
    public func append(_ id: RecordID, offset: Int64, chunk: [UInt8], chunkSHA256: String,
                       for worker: Worker) async throws(AttachmentError) -> UploadState {
        let attachment = try await authorized(id, worker, writing: true)
        let held = try await held(attachment)
        if case .complete = held { return try await state(of: attachment, held: held) }
        guard attachment.byteCount <= policy.attachmentMaxBytes else {
            throw AttachmentError(.fileTooLarge, "attachment \(id) is \(attachment.byteCount) bytes; this server takes at most \(policy.attachmentMaxBytes)", held: held)
        }
        guard chunk.count <= chunkMaxBytes else {
            throw AttachmentError(.chunkTooLarge, "a chunk of \(chunk.count) bytes; chunks are at most \(chunkMaxBytes)", held: held)
        }
        guard !chunk.isEmpty else {
            throw AttachmentError(.beyondSize, "an empty chunk at offset \(offset) adds nothing to attachment \(id)", held: held)
        }
        guard offset == held.length else {
            throw AttachmentError(.offsetMismatch, "the chunk starts at \(offset); the server holds \(held.length) bytes of attachment \(id), so the next chunk starts there", held: held)
        }
        // Compared as a subtraction: offset is at most byteCount here, so nothing overflows.
        guard Int64(chunk.count) <= attachment.byteCount - offset else {
            throw AttachmentError(.beyondSize, "\(chunk.count) bytes at offset \(offset) run past the \(attachment.byteCount) bytes attachment \(id) states", held: held)
        }
        let actual = ContentHash.sha256(chunk)
        guard actual == chunkSHA256.lowercased() else {
            throw AttachmentError(.chunkHashMismatch, "the chunk at offset \(offset) hashes to \(actual), not \(chunkSHA256.prefix(64))", held: held)
        }
        if offset == 0, AttachmentContentType.sniff(chunk.prefix(AttachmentContentType.sniffLength)) != attachment.contentType {
            let found = AttachmentContentType.sniff(chunk.prefix(AttachmentContentType.sniffLength))?.rawValue ?? "an unrecognised type"
            throw AttachmentError(.contentTypeMismatch, "attachment \(id) is recorded as \(attachment.contentType.rawValue), but its bytes start as \(found)", held: held)
        }
        let outcome: AppendOutcome
        do {
            outcome = try await store.appendBytes(sha256: attachment.sha256, byteCount: attachment.byteCount, offset: offset, chunk: chunk)
        } catch {
            throw AttachmentError(.storage, "storing a chunk of attachment \(id): \(error)")
        }
        switch outcome {
        case .held(let n): return try await state(of: attachment, held: .partial(n))
        case .completed: return try await state(of: attachment, held: .complete(attachment.byteCount))
        case .offsetMismatch(let now):
            // Another request for the same bytes moved the upload on meanwhile.
            throw AttachmentError(.offsetMismatch, "the chunk starts at \(offset); the server now holds \(now.length) bytes of attachment \(id)", held: now)
        case .hashMismatch(let whole):
            throw AttachmentError(.hashMismatch, "the \(attachment.byteCount) bytes of attachment \(id) hash to \(whole), not \(attachment.sha256); they were dropped: upload again from 0", held: HeldBytes.none)
        }
    }

    /// Attachment `id`, for a worker who may see its village (and fetch its bytes).
    public func readable(_ id: RecordID, for worker: Worker) async throws(AttachmentError) -> Attachment {
        try await authorized(id, worker, writing: false)
    }

    /// The bytes of `attachment`'s file `range` names (the whole when nil); `attachment` as
    /// `readable` gave it.
    public func download(_ attachment: Attachment, range: ByteRange?) async throws(AttachmentError) -> (bytes: [UInt8], range: Range<Int64>) {
        let id = attachment.id
        let size = attachment.byteCount
        let wanted: Range<Int64>
        if let range {
            guard let resolved = range.resolve(size: size) else {
                throw AttachmentError(.rangeNotSatisfiable, "\(range) of attachment \(id), which has \(size) bytes", fileSize: size)
            }
            wanted = resolved
        } else {
            wanted = 0..<size
        }
        let bytes: [UInt8]?
        do { bytes = try await store.readBytes(sha256: attachment.sha256, range: wanted) } catch {
            throw AttachmentError(.storage, "reading attachment \(id): \(error)")
        }
        guard let bytes else { throw AttachmentError(.notUploaded, "the bytes of attachment \(id) are not on the server yet: still on the phone") }
        return (bytes, wanted)
    }

    /// The attachment, if `worker` may write (upload) or see (download) it: its record held and
    /// not deleted, its village in the worker's scope, its household not one the worker filed as
    /// a close relative's. Outside the scope reads as unknown to nobody: it says outside.
    func authorized(_ id: RecordID, _ worker: Worker, writing: Bool) async throws(AttachmentError) -> Attachment {
        let state: RecordState?
        do { state = try await store.attachmentRecord(id) } catch {
            throw AttachmentError(.storage, "reading attachment \(id): \(error)")
        }
        guard let state else { throw AttachmentError(.unknownAttachment, "the server holds no attachment \(id)") }
        let village = state.key.scope
        let jurisdiction = Jurisdiction(worker)
        guard writing ? jurisdiction.canWrite(village) : jurisdiction.canSee(village) else {
            throw AttachmentError(.outsideScope, "attachment \(id) is of village \(village), outside the scope of worker \(worker.id) (\(worker.role.rawValue), \(worker.assignment.summary))")
        }
        guard !state.isDeleted else { throw AttachmentError(.attachmentDeleted, "attachment \(id) was deleted") }
        let attachment: Attachment
        do { attachment = try Attachment(id: id, village: village, fields: state.values) } catch {
            throw AttachmentError(.storage, "attachment \(id) holds unreadable values: \(error)")
        }
        if let household = attachment.householdID {
            let filed: Bool
            do { filed = try await store.isFiledRelative(worker: worker.id, household: household) } catch {
                throw AttachmentError(.storage, "reading the filings of \(worker.id): \(error)")
            }
            if filed {
                throw AttachmentError(.recusal, "worker \(worker.id) filed household \(household) as a close relative's: may not \(writing ? "send" : "fetch") its evidence")
            }
        }
        return attachment
    }

    func held(_ attachment: Attachment) async throws(AttachmentError) -> HeldBytes {
        let held: HeldBytes
        do { held = try await store.heldBytes(sha256: attachment.sha256) } catch {
            throw AttachmentError(.storage, "reading what is held of attachment \(attachment.id): \(error)")
        }
        // Every byte held, the whole never checked: the server died between the last chunk and
        // the check (a file store cannot do both at once). No chunk is left to send, so the
        // check is made now; without it the upload could never end.
        guard case .partial(let length) = held, length == attachment.byteCount else { return held }
        let outcome: AppendOutcome
        do { outcome = try await store.appendBytes(sha256: attachment.sha256, byteCount: length, offset: length, chunk: []) } catch {
            throw AttachmentError(.storage, "checking the whole of attachment \(attachment.id): \(error)")
        }
        switch outcome {
        case .completed: return .complete(length)
        case .hashMismatch: return .none
        case .held(let n): return .partial(n)
        case .offsetMismatch(let now): return now
        }
    }

    func state(of attachment: Attachment, held: HeldBytes) async throws(AttachmentError) -> UploadState {
        let complete = if case .complete = held { true } else { false }
        return UploadState(id: attachment.id.description, sha256: attachment.sha256, byteCount: attachment.byteCount,
                           contentType: attachment.contentType.rawValue, received: min(held.length, attachment.byteCount),
                           complete: complete, chunkMaxBytes: chunkMaxBytes)
    }
}
