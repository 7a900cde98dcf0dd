import AsyncHTTPClient
import Foundation
import NIOCore
import SyncClientHTTP

/// The HTTP client of the simulated fleet's sync traffic. One process plays many phones, each of
/// which would hold its own connection: the pool per server is as large as a fleet syncs at once,
/// not the library's default of 8 (which would queue the fleet's exchanges behind each other).
/// A connection a server refuses fails at once instead of being retried until the connect
/// timeout: the network model plays the flaky village networks, and a dead server instance is
/// the failover's to skip.
enum FleetHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1_024
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    static func transport(_ server: URL, token: String) -> HTTPTransport {
        HTTPTransport(server: server, token: token, client: shared)
    }
}
