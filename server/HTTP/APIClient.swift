import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServerOps
import SyncProtocol

/// A client of the JSON endpoints (administrator and reviewer), for `doorstep-server admin`
/// and for tests: every call is one request with the given bearer token.
public struct APIClient: Sendable {
    public let server: URL
    public let token: String
    public let client: HTTPClient

    public init(server: URL, token: String, client: HTTPClient = .shared) {
        self.server = server
        self.token = token
        self.client = client
    }

    /// An error status, with the server's `{code, message}` and any problems it listed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let status: Int
        public let document: ErrorDocument
        public var retryAfterSeconds: Int?
        public var description: String {
            var text = "\(status) \(document.code): \(document.message)"
            for p in document.problems ?? [] {
                text += "\n  " + [p.line.map { "line \($0)" }, p.column].compactMap { $0 }.joined(separator: ", ") + ": " + p.message
            }
            return text
        }
    }

    public func workers() async throws -> [WorkerDocument] { try await call(.GET, "/v1/admin/workers") }
    public func createWorker(_ w: WorkerDocument) async throws -> WorkerDocument { try await call(.POST, "/v1/admin/workers", json: w) }
    public func updateWorker(_ w: WorkerDocument) async throws -> WorkerDocument { try await call(.PUT, "/v1/admin/workers/\(Self.escape(w.id))", json: w) }
    public func issueCode(worker: String, lifetimeHours: Int? = nil) async throws -> CodeDocument {
        try await call(.POST, "/v1/admin/workers/\(Self.escape(worker))/enrolment-codes", json: CodeRequestDocument(lifetimeHours: lifetimeHours))
    }
    /// Revokes every device of a worker (`lost` or `retired`; the server's default, `lost`, when nil).
    public func revokeWorkerDevices(_ worker: String, reason: String? = nil) async throws -> RevokedDocument {
        try await call(.POST, "/v1/admin/workers/\(Self.escape(worker))/revoke-devices", json: RevocationDocument(reason: reason))
    }
    public func enrolmentCodes(worker: String? = nil) async throws -> [EnrolmentCodeDocument] {
        try await call(.GET, "/v1/admin/enrolment-codes" + (worker.map { "?worker=\(Self.escape($0))" } ?? ""))
    }
    public func revokeEnrolmentCode(_ id: String) async throws -> EnrolmentCodeDocument {
        try await call(.POST, "/v1/admin/enrolment-codes/\(Self.escape(id))/revoke")
    }
    public func lookUpPeople(idNumbers: [String]) async throws -> PersonLookupResultDocument {
        try await call(.POST, "/v1/admin/people/lookup", json: PersonLookupDocument(idNumbers: idNumbers))
    }
    public func logChains() async throws -> [LogChainDocument] { try await call(.GET, "/v1/admin/log-chains") }
    public func devices(worker: String? = nil) async throws -> [DeviceDocument] {
        try await call(.GET, "/v1/admin/devices" + (worker.map { "?worker=\(Self.escape($0))" } ?? ""))
    }
    /// Revokes one device (`lost` or `retired`; the server's default, `lost`, when nil).
    public func revokeDevice(_ id: String, reason: String? = nil) async throws -> DeviceDocument {
        try await call(.POST, "/v1/admin/devices/\(Self.escape(id))/revoke", json: RevocationDocument(reason: reason))
    }
    public func file(_ filing: FilingDocument) async throws -> CreatedDocument { try await call(.POST, "/v1/admin/filings", json: filing) }
    public func withdrawFiling(_ id: String) async throws -> WithdrawnFilingDocument {
        try await call(.POST, "/v1/admin/filings/\(Self.escape(id))/withdraw")
    }
    public func specialRoster() async throws -> [SpecialRosterEntryDocument] { try await call(.GET, "/v1/special-roster") }
    public func importRoster(csv: [UInt8]) async throws -> RosterResultDocument {
        try await call(.POST, "/v1/admin/roster", body: csv, contentType: "text/csv; charset=utf-8")
    }
    public func auditLog(replica: String, limit: Int = 10_000) async throws -> [AuditEntryDocument] {
        try await call(.GET, "/v1/admin/audit-log?replica=\(Self.escape(replica))&limit=\(limit)")
    }
    public func securityLog(limit: Int = 200) async throws -> [SecurityEventDocument] { try await call(.GET, "/v1/admin/security-log?limit=\(limit)") }
    public func opsOverview() async throws -> OpsOverview { try await call(.GET, "/v1/ops/overview") }
    public func deviceHistory(_ id: String, limit: Int = 100) async throws -> [SyncRecord] {
        try await call(.GET, "/v1/ops/devices/\(Self.escape(id))/history?limit=\(limit)")
    }
    public func conflicts() async throws -> ConflictListDocument { try await call(.GET, "/v1/conflicts") }
    public func resolve(_ r: ResolutionDocument) async throws -> ResolutionResultDocument { try await call(.POST, "/v1/conflicts/resolve", json: r) }

    func call<T: Decodable>(_ method: HTTPMethod, _ path: String, json: some Encodable) async throws -> T {
        try await call(method, path, body: Array(try JSONEncoder().encode(json)), contentType: "application/json")
    }

    /// One request; a 2xx body decoded as `T`, any other status thrown as `Failure`. A 429 is
    /// retried after the `Retry-After` the server gave (at most 5 times).
    public func call<T: Decodable>(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> T {
        for _ in 0..<5 {
            do { return try await once(method, path, body: body, contentType: contentType) } catch let failure as Failure where failure.status == 429 {
                try await Task.sleep(for: .seconds(failure.retryAfterSeconds ?? 1))
            }
        }
        return try await once(method, path, body: body, contentType: contentType)
    }

    func once<T: Decodable>(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?) async throws -> T {
        var request = HTTPClientRequest(url: server.absoluteString.trimmingTrailingSlash + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        let bytes = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            let document = (try? JSONDecoder().decode(ErrorDocument.self, from: bytes))
                ?? ErrorDocument(code: "http_\(response.status.code)", message: String(decoding: bytes.prefix(300), as: UTF8.self))
            throw Failure(status: Int(response.status.code), document: document,
                          retryAfterSeconds: response.headers["Retry-After"].first.flatMap(Int.init))
        }
        return try JSONDecoder().decode(T.self, from: bytes)
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?"))) ?? segment
    }
}

extension String {
    var trimmingTrailingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
