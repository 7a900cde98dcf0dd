import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import SyncClientHTTP
import Synchronization

/// The HTTP client of the simulated fleet's sync traffic. One process plays many phones, each of
/// which would hold its own connection: the pool per server is as large as a fleet syncs at once,
/// not the library's default of 8 (which would queue the fleet's exchanges behind each other).
/// A connection a server refuses fails at once instead of being retried until the connect
/// timeout: the network model plays the flaky village networks, and a dead server instance is
/// the failover's to skip.
enum FleetHTTPClient {
    static let shared = make(trustRoots: nil)

    /// Clients trusting a private CA (a proxy's test certificate), one per CA file for the
    /// process's lifetime, like `shared`.
    private static let trusting = Mutex<[String: HTTPClient]>([:])

    /// The fleet's client: `shared`, or given a PEM file of a CA certificate, a client that
    /// trusts it besides the system's roots (as doorstep-device's `--ca-file` does).
    static func client(trustingCAFile caFile: String?) throws -> HTTPClient {
        guard let caFile else { return shared }
        guard FileManager.default.isReadableFile(atPath: caFile) else {
            throw LoadError(.invalidRun, "the CA file \(caFile) cannot be read")
        }
        return trusting.withLock { clients in
            if let client = clients[caFile] { return client }
            let client = make(trustRoots: .file(caFile))
            clients[caFile] = client
            return client
        }
    }

    private static func make(trustRoots: NIOSSLTrustRoots?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1_024
        configuration.connectionPool.retryConnectionEstablishment = false
        if let trustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = trustRoots
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    static func transport(_ server: URL, token: String, client: HTTPClient = shared) -> HTTPTransport {
        HTTPTransport(server: server, token: token, client: client)
    }
}
