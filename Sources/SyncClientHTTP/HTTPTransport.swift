import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SyncClient
import SyncProtocol

/// SyncClient's transport over HTTP: one `POST /v1/sync` per exchange, the deflated body as it
/// is (`Content-Encoding: deflate`, never re-inflated by the HTTP layer, so the protocol's own
/// inflation limits apply to responses too).
///
///     let transport = HTTPTransport(server: URL(string: "http://127.0.0.1:8080")!, token: token)
///     let report = await SyncClient(replica: replica, transport: transport).sync()
///
/// A connection failure or timeout is `unreachable` (try later); an error status is `refused`
/// with the server's code, and 429 is `rateLimited` with its `Retry-After`. Plain `http` is
/// refused except to loopback (`ServerAddressPolicy`) unless `allowInsecureHTTP`.
public struct HTTPTransport: Transport {
    public let server: URL
    public let token: String
    public let client: HTTPClient
    public var timeout: TimeAmount
    /// The largest response body accepted (deflated).
    public var maxResponseBytes: Int
    /// Plain `http` to a machine other than this one: only on a closed test network.
    public var allowInsecureHTTP = false
    /// The server's address is `https` or `http` to loopback: checked once, since the address never
    /// changes (parsing the URL on every exchange was a measurable share of a fleet's CPU).
    private let addressAllowed: Bool
    private let syncURL: String

    public init(server: URL, token: String, client: HTTPClient = HTTPTransport.sharedClient, timeout: TimeAmount = .seconds(60),
                maxResponseBytes: Int = 8 << 20) {
        self.server = server
        self.token = token
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        addressAllowed = (try? ServerAddressPolicy.check(server, allowInsecureHTTP: false)) != nil
        syncURL = server.appendingPathComponent(HTTPAPI.syncPath).absoluteString
    }

    /// The process's client for sync traffic. Unlike `HTTPClient.shared` it never inflates a
    /// response: the body is handed to the protocol's decoder as it came, caps and all.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func exchange(_ body: [UInt8]) async throws(TransportError) -> [UInt8] {
        if !addressAllowed { try ServerAddressPolicy.check(server, allowInsecureHTTP: allowInsecureHTTP) }
        var request = HTTPClientRequest(url: syncURL)
        request.method = .POST
        for (name, value) in Self.syncHeaders(token: token) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let (status, headers, bytes) = try await APICall.send(request, client: client, timeout: timeout, maxResponseBytes: maxResponseBytes)
        return try Self.syncResponseBody(status: status, headers: headers, body: bytes)
    }

    /// The headers of a sync request: the bearer token and the deflated protobuf body as it is.
    public static func syncHeaders(token: String) -> [(String, String)] {
        [("Authorization", "Bearer \(token)"), ("Content-Type", HTTPAPI.syncMediaType), ("Content-Encoding", "deflate"),
         ("Accept-Encoding", "identity")]
    }

    /// A sync response's deflated body, or the error its status (or a missing `Content-Encoding`) means.
    public static func syncResponseBody(status: Int, headers: HTTPHeaders, body: [UInt8]) throws(TransportError) -> [UInt8] {
        guard status == 200 else { throw APICall.failure(status: status, headers: headers, body: body) }
        guard headers["Content-Encoding"].first?.lowercased() == "deflate" else {
            throw TransportError(.refused(status: status, code: "bad_response"), "a sync response without Content-Encoding: deflate")
        }
        return body
    }
}

/// One HTTP call and how its failures become `TransportError`s; shared by sync and enrolment.
public enum APICall {
    public static func send(_ request: HTTPClientRequest, client: HTTPClient, timeout: TimeAmount,
                            maxResponseBytes: Int) async throws(TransportError) -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return (Int(response.status.code), response.headers, Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw TransportError(.refused(status: 200, code: "response_too_large"), "a response over \(maxResponseBytes) bytes")
        } catch {
            throw .unreachable("\(request.method) \(request.url): \(error)")
        }
    }

    /// The error an error status means: `{code, message}` from the body when it has one.
    public static func failure(status: Int, headers: HTTPHeaders, body: [UInt8]) -> TransportError {
        let document = try? JSONDecoder().decode(ErrorDocument.self, from: Data(body))
        let message = document?.message ?? String(decoding: body.prefix(300), as: UTF8.self)
        if status == 429 {
            let wait = headers["Retry-After"].first.flatMap(Int.init) ?? 60
            return TransportError(.rateLimited(retryAfterSeconds: wait), message)
        }
        if status >= 500 || status == 408 || status == 502 || status == 503 || status == 504 {
            // The server could not answer now; the exchange may be repeated as it is.
            return TransportError(.unreachable, "\(status) \(document?.code ?? "server_error"): \(message)")
        }
        return TransportError(.refused(status: status, code: document?.code ?? "http_\(status)"), message, wipe: document?.wipe)
    }
}
