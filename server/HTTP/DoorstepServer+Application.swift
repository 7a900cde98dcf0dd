import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

extension DoorstepServer {
    /// HTTP/1.1 — over TLS when `tls` is given (the server terminates it itself; else a proxy in
    /// front does) — with the idle and read timeouts of `security`.
    public func httpServer(tls: TLSConfiguration?) throws -> HTTPServerBuilder {
        let readTimeout = TimeAmount.milliseconds(Int64(security.readTimeoutSeconds * 1000))
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [ReadTimeoutHandler(timeout: readTimeout)],
                                              idleTimeout: .milliseconds(Int64(security.idleTimeoutSeconds * 1000)))
        guard let tls else { return .http1(configuration: http) }
        return try .tls(.http1(configuration: http), tlsConfiguration: tls)
    }

    /// What runs beside the HTTP server for as long as it runs: the sync history's writer, the
    /// security log's flusher and the hourly device-health snapshot.
    public func services(logger: Logger) -> [any Service] {
        [history, SecurityLogFlusher(access: access, clock: clock, logger: logger),
         HealthSnapshotService(clock: clock, logger: logger) { now in try await snapshotHealth(now: now) }]
    }

    /// A TLS configuration for serving HTTPS from a PEM certificate chain and its PEM private
    /// key (read here as PEM whatever the file is called: NIOSSL would take a `.key` for DER).
    public static func tlsConfiguration(certificateChain: String, privateKey: String) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
