/// Why an attachment request was refused (SPEC §15.4): a stable code, the HTTP status it is
/// answered with, and a message naming the values that caused it. A refused request writes
/// nothing.
public struct AttachmentError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No attachment record of that id (or not one the asker may know of). 404.
        case unknownAttachment = "unknown_attachment"
        /// The attachment's village is outside the worker's scope. 403.
        case outsideScope = "outside_scope"
        /// The attachment belongs to a household the worker filed as a close relative's. 403.
        case recusal = "recusal"
        /// The attachment was deleted: its bytes are neither taken nor served. 410.
        case attachmentDeleted = "attachment_deleted"
        /// The chunk does not start where the held bytes end; the answer says where. 409.
        case offsetMismatch = "offset_mismatch"
        /// The chunk is larger than a chunk may be. 413.
        case chunkTooLarge = "chunk_too_large"
        /// The chunk would run past the size the record states. 413.
        case beyondSize = "beyond_size"
        /// The file is larger than this server takes (`attachmentMaxBytes`). 413.
        case fileTooLarge = "file_too_large"
        /// The chunk's bytes do not hash to the `Chunk-SHA256` sent with them. 422.
        case chunkHashMismatch = "chunk_hash_mismatch"
        /// The file's first bytes are not of the content type its record states. 415.
        case contentTypeMismatch = "content_type_mismatch"
        /// The whole file's SHA-256 is not the record's: the partial bytes were dropped. 422.
        case hashMismatch = "hash_mismatch"
        /// The bytes are not on the server yet (still on the phone). 404.
        case notUploaded = "not_uploaded"
        /// A range outside the file. 416.
        case rangeNotSatisfiable = "range_not_satisfiable"
        /// The store failed. 500.
        case storage = "storage"
    }

    public let code: Code
    public let message: String
    /// What the server holds of the file after the refusal, where it helps the device resume.
    public let held: HeldBytes?
    /// With `range_not_satisfiable`: the file's size, for `Content-Range: bytes */size`.
    public let fileSize: Int64?

    public init(_ code: Code, _ message: String, held: HeldBytes? = nil, fileSize: Int64? = nil) {
        self.code = code
        self.message = message
        self.held = held
        self.fileSize = fileSize
    }

    public var status: Int {
        switch code {
        case .unknownAttachment, .notUploaded: 404
        case .outsideScope, .recusal: 403
        case .attachmentDeleted: 410
        case .offsetMismatch: 409
        case .chunkTooLarge, .beyondSize, .fileTooLarge: 413
        case .chunkHashMismatch, .hashMismatch: 422
        case .contentTypeMismatch: 415
        case .rangeNotSatisfiable: 416
        case .storage: 500
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
