import FieldModel
import SyncCore

/// What a store holds of one file's bytes, named by their SHA-256.
public enum HeldBytes: Sendable, Hashable {
    /// Nothing: no upload began, or an unfinished one was collected.
    case none
    /// An unfinished upload: its first `n` bytes, each chunk checked as it came.
    case partial(Int64)
    /// The whole file, checked against its hash, visible to downloads.
    case complete(Int64)

    /// Bytes held from offset 0: where an upload resumes.
    public var length: Int64 {
        switch self {
        case .none: 0
        case .partial(let n), .complete(let n): n
        }
    }
}

/// What came of appending a chunk.
public enum AppendOutcome: Sendable, Hashable {
    /// The chunk is held: the upload now holds this many bytes and waits for more.
    case held(Int64)
    /// The chunk completed the file and the whole matched its hash: the bytes are visible.
    case completed
    /// The chunk did not start where the held bytes end: nothing was written.
    case offsetMismatch(held: HeldBytes)
    /// The chunk completed the file but the whole's hash differs: the partial bytes were
    /// removed, so the upload starts again from 0.
    case hashMismatch(actual: String)
}

/// The bytes of attachments (SPEC §15), kept apart from the records: on SQLite, files in the data
/// directory; on PostgreSQL, rows every instance shares. Content-addressed: one copy per hash,
/// however many records name it. Every method commits completely or changes nothing; a file
/// becomes visible only whole and checked, and survives a crash once `appendBytes` returned
/// `.completed`. Errors are `SyncEngineError`.
public protocol AttachmentStore: Sendable {
    /// What is held of the bytes of `sha256`.
    func heldBytes(sha256: String) async throws -> HeldBytes

    /// Appends `chunk` to the unfinished upload of `sha256`, a file of `byteCount` bytes, at
    /// `offset`, which must be where the held bytes end. When the bytes reach `byteCount`, hashes
    /// the whole: equal to `sha256`, the file becomes complete; else the partial bytes are
    /// removed. A complete file takes no more chunks (`.completed` again: uploads of the same
    /// bytes cost nothing). An empty chunk at `byteCount` checks a partial that holds every byte
    /// (left by a crash between the last chunk and its check) as the last chunk would have. The
    /// chunk's own checks (its size, its hash, the content type at offset 0) are the caller's,
    /// before it calls.
    func appendBytes(sha256: String, byteCount: Int64, offset: Int64, chunk: [UInt8]) async throws -> AppendOutcome

    /// Bytes `range` of a complete file, nil when the file is not complete. `range` lies within
    /// the file (the caller checks it against the size).
    func readBytes(sha256: String, range: Range<Int64>) async throws -> [UInt8]?

    /// The attachment record of `id`, in whichever village it is; nil when none.
    func attachmentRecord(_ id: RecordID) async throws -> RecordState?

    /// Whether `worker` holds a standing close-relative filing for `household` (回避).
    func isFiledRelative(worker: WorkerID, household: RecordID) async throws -> Bool

    /// Garbage collection: removes the bytes (complete or partial) that no attachment record
    /// names and that were last written before `milliseconds` (the retention passes the
    /// tombstone horizon: a record may arrive after its bytes, and a deleted record names its
    /// bytes until its tombstone is purged). Returns how many files were removed.
    func collectAttachmentBytes(writtenBefore milliseconds: Int64) async throws -> Int

    /// The complete files, their count and bytes (metrics).
    func attachmentTotals() async throws -> (files: Int, bytes: Int64)
}
