import AsyncHTTPClient
import Foundation
import NIOCore
import SyncProtocol

/// A response as it came off the wire: status, headers, body and, for errors, the JSON document.
struct RawResponse {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    var error: ErrorDocument? { try? JSONDecoder().decode(ErrorDocument.self, from: Data(body)) }

    /// Sends with a client that never inflates, so what the server sent is what the test sees.
    static func send(_ method: String, _ url: String, headers: [String: String], body: [UInt8]?) async throws -> RawResponse {
        var r = HTTPClientRequest(url: url)
        r.method = .init(rawValue: method)
        for (k, v) in headers { r.headers.add(name: k, value: v) }
        if let body { r.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(r, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        var fields: [String: String] = [:]
        for h in response.headers { fields[h.name.lowercased()] = h.value }
        return RawResponse(status: Int(response.status.code), headers: fields, body: Array(buffer.readableBytesView))
    }

    /// Never inflates and never follows a redirect: the test sees the server's own answer.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
