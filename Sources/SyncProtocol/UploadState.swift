/// An attachment's upload as the server holds it (SPEC §15.2), the body of the upload calls'
/// answers: what the device needs to resume.
public struct UploadState: Sendable, Hashable, Codable {
    public let id: String
    public let sha256: String
    public let byteCount: Int64
    public let contentType: String
    /// Bytes held from offset 0: the next chunk starts here.
    public let received: Int64
    /// The whole file is held and checked.
    public let complete: Bool
    /// The largest chunk the server takes.
    public let chunkMaxBytes: Int

    public init(id: String, sha256: String, byteCount: Int64, contentType: String, received: Int64, complete: Bool, chunkMaxBytes: Int) {
        self.id = id
        self.sha256 = sha256
        self.byteCount = byteCount
        self.contentType = contentType
        self.received = received
        self.complete = complete
        self.chunkMaxBytes = chunkMaxBytes
    }
}
