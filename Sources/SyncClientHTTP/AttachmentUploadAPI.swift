import AsyncHTTPClient
import FieldModel
import Foundation
import NIOCore
import NIOHTTP1
import SyncClient
import SyncProtocol

/// The server's answer to an upload request: the state, or a refusal. A failure to get an
/// answer at all (a cut connection, a timeout, a 5xx, a rate limit) is thrown as `TransportError`.
public enum AttachmentUploadAnswer: Sendable, Hashable {
    case state(UploadState)
    /// The refusal's HTTP status and body (SPEC §15.4): `code`, `message`, and `received` where
    /// the server could say where the upload resumes.
    case refused(status: Int, ErrorDocument)
}

/// The two upload calls (SPEC §15.2); over HTTP `HTTPAttachmentUploadAPI`, in tests a fake.
public protocol AttachmentUploadAPI: Sendable {
    /// `GET /v1/attachments/{id}/upload`.
    func state(_ id: RecordID) async throws(TransportError) -> AttachmentUploadAnswer
    /// `PUT /v1/attachments/{id}/upload?offset=N` with `chunk`, its SHA-256 in `Chunk-SHA256`.
    func put(_ id: RecordID, offset: Int64, chunk: [UInt8], chunkSHA256: String) async throws(TransportError) -> AttachmentUploadAnswer
}

/// The upload calls over HTTP on a sync transport: its server, bearer token, client (so uploads
/// share the sync's connections), timeout and address policy.
public struct HTTPAttachmentUploadAPI: AttachmentUploadAPI {
    public let transport: HTTPTransport

    public init(_ transport: HTTPTransport) { self.transport = transport }

    public func state(_ id: RecordID) async throws(TransportError) -> AttachmentUploadAnswer {
        try await call(.GET, id, query: "", body: nil, headers: [:])
    }

    public func put(_ id: RecordID, offset: Int64, chunk: [UInt8], chunkSHA256: String) async throws(TransportError) -> AttachmentUploadAnswer {
        try await call(.PUT, id, query: "?offset=\(offset)", body: chunk,
                       headers: ["Content-Type": "application/octet-stream", "Chunk-SHA256": chunkSHA256])
    }

    private func call(_ method: HTTPMethod, _ id: RecordID, query: String, body: [UInt8]?,
                      headers: [String: String]) async throws(TransportError) -> AttachmentUploadAnswer {
        try ServerAddressPolicy.check(transport.server, allowInsecureHTTP: transport.allowInsecureHTTP)
        var request = HTTPClientRequest(url: transport.server.appendingPathComponent("/v1/attachments/\(id)/upload").absoluteString + query)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(transport.token)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let (status, headers, bytes) = try await APICall.send(request, client: transport.client, timeout: transport.timeout, maxResponseBytes: 1 << 16)
        if status == 200 {
            do { return .state(try JSONDecoder().decode(UploadState.self, from: Data(bytes))) } catch {
                throw TransportError(.refused(status: status, code: "bad_response"), "\(method) \(request.url): an upload state that does not fit: \(error)")
            }
        }
        // A refusal of this file the body explains. A 5xx, a timeout or a rate limit is the
        // transport's, and so is a refused token (401): every file would be refused alike, and
        // the sync deals with a revoked device.
        let failure = APICall.failure(status: status, headers: headers, body: bytes)
        guard case .refused(let refusedStatus, _) = failure.kind, refusedStatus != 401,
              let refusal = try? JSONDecoder().decode(ErrorDocument.self, from: Data(bytes)) else { throw failure }
        return .refused(status: status, refusal)
    }
}
