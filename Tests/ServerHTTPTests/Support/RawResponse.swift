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
    /// Its pool holds a connection per concurrent caller (the flood test runs 32), and a queued
    /// request waits as long as a request may take: AsyncHTTPClient's defaults (8 connections,
    /// 10 s in the queue) failed requests with `getConnectionFromPoolTimeout` under the whole
    /// suite's load, which tested the client and not the server.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(60), read: .seconds(60))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
