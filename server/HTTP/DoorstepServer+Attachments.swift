import FieldModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServerDirectory
import ServerEngine

extension DoorstepServer {
    /// Evidence bytes (SPEC §15): a device asks what the server holds, sends chunks from there,
    /// and fetches the files of its scope. Field staff only; every request is checked against
    /// the attachment's record, village and household as the server holds them.
    func addAttachmentRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/v1/attachments/:id/upload") { request, context in
            let route = "GET /v1/attachments/:id/upload"
            let principal = try await fieldStaff(request, context, route: route)
            let id = try Self.attachmentID(context)
            return try await refusalsRecorded(principal, route) {
                try reply(try await attachmentUploads().state(id, for: principal.worker))
            }
        }
        router.put("/v1/attachments/:id/upload") { request, context in
            let route = "PUT /v1/attachments/:id/upload"
            let uploads = try attachmentUploads()
            // A chunk spends the device's upload bytes, not the requests its syncs need; a body
            // that does not declare its length counts as a whole chunk.
            let declared = request.headers[.contentLength].flatMap(Int.init) ?? uploads.chunkMaxBytes
            let principal = try await fieldStaff(request, context, route: route, budget: .uploadBytes(min(max(declared, 0), uploads.chunkMaxBytes)))
            let id = try Self.attachmentID(context)
            let offset = try Self.uploadOffset(request)
            let chunkHash = try Self.chunkHash(request)
            // The body is read up to one byte past the limit, so an oversized chunk gets its own code.
            let chunk = try await body(request, limit: uploads.chunkMaxBytes + 1)
            return try await refusalsRecorded(principal, route) {
                try reply(try await uploads.append(id, offset: offset, chunk: chunk, chunkSHA256: chunkHash, for: principal.worker))
            }
        }
        router.get("/v1/attachments/:id/content") { request, context in
            let route = "GET /v1/attachments/:id/content"
            let principal = try await fieldStaff(request, context, route: route)
            let id = try Self.attachmentID(context)
            let range = request.headers[.range].flatMap(ByteRange.init(header:))
            return try await refusalsRecorded(principal, route) {
                let uploads = try attachmentUploads()
                let attachment = try await uploads.readable(id, for: principal.worker)
                var headers = HTTPFields()
                headers[.eTag] = "\"\(attachment.sha256)\""
                headers[.cacheControl] = "private, max-age=31536000, immutable"
                headers[.acceptRanges] = "bytes"
                // A device that holds these bytes already gets no body: the bytes of a hash never change.
                if let tags = request.headers[.ifNoneMatch], tags == "*" || Self.etags(tags).contains("\"\(attachment.sha256)\"") {
                    return Response(status: .notModified, headers: headers)
                }
                let (bytes, served) = try await uploads.download(attachment, range: range)
                headers[.contentType] = attachment.contentType.rawValue
                headers[.contentDisposition] = "inline; filename=\"\(attachment.id).\(Self.fileExtension(attachment.contentType))\""
                headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
                let partial = range != nil
                if partial { headers[.contentRange] = "bytes \(served.lowerBound)-\(served.upperBound - 1)/\(attachment.byteCount)" }
                return Response(status: partial ? .partialContent : .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
    }

    /// The attachment rules over this server's store; 501 when the store keeps no bytes.
    func attachmentUploads() throws -> AttachmentUploads {
        guard let store = engine.store as? any AttachmentStore else {
            throw APIError(.notImplemented, "not_supported", "this server's store keeps no attachment bytes")
        }
        return AttachmentUploads(store: store, chunkMaxBytes: limits.chunkMaxBytes, policy: engine.configuration.policy)
    }

    /// Runs `body`; a refusal for scope or recusal goes into the security log, as a refused
    /// sync's does, before it is answered.
    func refusalsRecorded(_ principal: Principal, _ route: String, _ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let error as AttachmentError where error.code == .outsideScope || error.code == .recusal {
            try await access.recordRefusal(principal, route: route, "\(error.code.rawValue): \(error.message)", now: clock())
            throw error
        }
    }

    static func attachmentID(_ context: DoorstepRequestContext) throws -> RecordID {
        let text = try context.parameters.require("id")
        guard let id = RecordID(uuidString: text) else {
            throw APIError(.badRequest, "invalid_argument", "\"\(text.prefix(40))\" is not an attachment id (a UUID)")
        }
        return id
    }

    static func uploadOffset(_ request: Request) throws -> Int64 {
        guard let text = request.uri.queryParameters["offset"] else {
            throw APIError(.badRequest, "invalid_argument", "offset is required: where the chunk starts in the file")
        }
        guard text.utf8.count <= 10, let offset = Int64(String(text)), (0...Attachment.schemaMaxBytes).contains(offset) else {
            throw APIError(.badRequest, "invalid_argument", "offset \"\(text.prefix(40))\" is not an integer in 0…\(Attachment.schemaMaxBytes)")
        }
        return offset
    }

    static func chunkHash(_ request: Request) throws -> String {
        let text = request.headers[HTTPField.Name("Chunk-SHA256")!] ?? ""
        let hash = text.lowercased()
        guard Attachment.isSHA256(hash) else {
            throw APIError(.badRequest, "invalid_argument", "Chunk-SHA256 \"\(text.prefix(70))\" is not 64 hex digits of the chunk's SHA-256")
        }
        return hash
    }

    /// The entity tags of an `If-None-Match` header (`"a", W/"b"`), weak ones compared as strong.
    static func etags(_ header: String) -> [String] {
        header.split(separator: ",").map { tag in
            let t = tag.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("W/") ? String(t.dropFirst(2)) : t
        }
    }

    static func fileExtension(_ type: AttachmentContentType) -> String {
        switch type {
        case .jpeg: "jpg"
        case .png: "png"
        case .pdf: "pdf"
        }
    }
}
