import FieldModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServerDirectory
import ServerEngine
import SyncProtocol

/// Every failure the API answers: a specific status and a JSON `{code, message}` body. Bad
/// input is always a 4xx; a 5xx means the server itself failed.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var retryAfterSeconds: Int?
    public var problems: [ErrorDocument.Problem]?
    /// For `revoked`: the device is to wipe itself (`lost`: at once; `retired`: once nothing is
    /// left unsynced). Sent as the body's `wipe` and the `Doorstep-Wipe` header.
    public var wipe: Credential.Revocation?
    /// With an attachment upload's refusal: where the next chunk starts.
    public var received: Int64?
    /// With 416: the file's size, for `Content-Range: bytes */size`.
    public var contentRange: String?
    /// With 405: the methods the path takes, for the `Allow` header.
    public var allow: String?
    /// `Strict-Transport-Security`, when clients reach the server over HTTPS.
    var strictTransportSecurity: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"doorstep\"" }
        if let wipe { headers[HTTPField.Name(HTTPAPI.wipeHeader)!] = wipe.rawValue }
        if let allow { headers[.allow] = allow }
        if let contentRange { headers[.contentRange] = contentRange }
        if let strictTransportSecurity { headers[.strictTransportSecurity] = strictTransportSecurity }
        let body = try JSONEncoder().encode(ErrorDocument(code: code, message: message, problems: problems, wipe: wipe?.rawValue, received: received))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The answer to any error a handler throws.
    public init(_ error: any Error) {
        switch error {
        case let e as APIError:
            self = e
        case let e as SyncEngineError:
            let status: HTTPResponse.Status = switch e.code {
            case .replicaMismatch: .forbidden
            case .schemaTooNew: .upgradeRequired
            case .scopeBlocked: .conflict
            case .unsupportedProtocol, .invalidArgument: .badRequest
            case .unknownRecord: .notFound
            case .tooManyElements: .contentTooLarge
            case .storage: .internalServerError
            }
            self.init(status, e.code.rawValue, e.message)
        case let e as DirectoryError:
            let status: HTTPResponse.Status = switch e.code {
            case .unauthenticated, .invalidToken, .revoked: .unauthorized
            case .invalidCode, .forbidden: .forbidden
            case .replicaTaken, .workerExists, .lastAdministrator, .notFieldStaff: .conflict
            case .unknownWorker, .unknownDevice, .unknownCode: .notFound
            case .invalidArgument: .badRequest
            case .storage: .internalServerError
            }
            self.init(status, e.code.rawValue, e.message)
            wipe = e.wipe
        case let e as AttachmentError:
            self.init(HTTPResponse.Status(code: e.status), e.code.rawValue, e.message)
            received = e.held?.length
            contentRange = e.fileSize.map { "bytes */\($0)" }
        case let e as ProtocolError:
            self.init(e.code == .tooManyElements ? .contentTooLarge : .badRequest, e.code.rawValue, e.message)
        case let e as ValidationError:
            self.init(.badRequest, "invalid_value", e.description)
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, "body_too_large", "the request body is over this endpoint's limit")
        case let e as DecodingError:
            self.init(.badRequest, "malformed_json", Self.describe(e))
        case let e as RosterImport.Failure:
            self.init(.unprocessableContent, "invalid_roster", "the roster has \(e.errors.count + e.more) problems; nothing was imported")
            problems = e.errors.map { ErrorDocument.Problem(line: $0.line, column: $0.column, message: $0.message) }
        case let e as ImportRefused:
            self.init(.conflict, "roster_refused", "\(e.refusals.count) records were refused; nothing was imported")
            problems = e.refusals.prefix(200).map { ErrorDocument.Problem(line: nil, column: nil, message: "\($0.key.collection.name) \($0.key.id): \($0.reason.rawValue): \($0.message)") }
        default:
            self.init(.internalServerError, "internal", "the server failed: \(type(of: error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return "the JSON body does not fit: \(path.isEmpty ? "" : path + ": ")\(c.debugDescription)"
        @unknown default:
            return "the JSON body does not fit the endpoint's document"
        }
    }
}
