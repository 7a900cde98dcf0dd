import Foundation
import NIOSSL
import PostgresNIO
import ServerEngine

/// Where a PostgreSQL store lives, read from a URL:
///
///     postgres://doorstep:secret@db.internal:5432/doorstep?schema=county_140821&pool=20&sslmode=verify-full&sslrootcert=/etc/doorstep/db-ca.pem
///     postgres://doorstep@/doorstep?host=/var/run/postgresql          (a Unix socket)
///
/// `schema` (default `public`) is the PostgreSQL schema holding the tables, created on first
/// open: one database can hold several stores, e.g. one per county shard. `pool` is the most
/// connections one server instance opens (default 16). `operation_timeout` (seconds, default
/// 60, a device's own wait for an answer) is the longest one store operation waits for a
/// connection and its statements together: past it the operation fails as a storage error, so
/// a connection cut without a word (a partition, a proxy that lost its backend) never holds a
/// push or a scrape for good. Each statement is also ended by PostgreSQL after 60 s
/// (`statement_timeout`).
///
/// `sslmode` as libpq reads it: `verify-full` (the default over TCP: TLS, the server's
/// certificate checked against `sslrootcert` — a PEM file of CA certificates — or the system's
/// roots, and its name or address against the host), `verify-ca` (the chain only), `require`
/// (TLS without checking who answers: protects against a listener on the wire, not against an
/// impostor), `disable` (no TLS: only on a Unix socket or a network nothing else shares). A
/// Unix socket never uses TLS.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// A Unix socket directory or path; when set, `host` and `port` are not used.
    public var socketPath: String?
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String
    public var maxConnections: Int
    public var operationTimeout: Duration
    public var tlsMode: TLSMode
    /// A PEM file of the CA certificates that sign the database server's certificate.
    public var rootCertificatePath: String?

    /// How the connection is protected (libpq's `sslmode` names).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public init(url text: String) throws(SyncEngineError) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw SyncEngineError(.invalidArgument, "\(Self.redacted(text)) is not a postgres:// URL (postgres://user:password@host:port/database?schema=NAME)")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let known: Set = ["schema", "pool", "host", "sslmode", "sslrootcert", "operation_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw SyncEngineError(.invalidArgument, "unknown option \(unknown) in \(Self.redacted(text)); known: \(known.sorted().joined(separator: ", "))")
        }
        guard let mode = TLSMode(rawValue: query["sslmode"] ?? TLSMode.verifyFull.rawValue) else {
            throw SyncEngineError(.invalidArgument, "sslmode=\(query["sslmode"] ?? "") in \(Self.redacted(text)): use \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        tlsMode = mode
        rootCertificatePath = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        if let path = rootCertificatePath, !FileManager.default.isReadableFile(atPath: path) {
            throw SyncEngineError(.invalidArgument, "sslrootcert=\(path) in \(Self.redacted(text)): no readable file there")
        }
        host = url.host ?? ""
        port = url.port ?? 5432
        socketPath = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        if host.isEmpty, socketPath == nil { host = "127.0.0.1" }
        guard let user = url.user, !user.isEmpty else {
            throw SyncEngineError(.invalidArgument, "\(Self.redacted(text)) names no user (postgres://USER@host/database)")
        }
        username = user
        password = url.password
        database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw SyncEngineError(.invalidArgument, "\(Self.redacted(text)) names no database (postgres://user@host/DATABASE)")
        }
        schema = query["schema"] ?? "public"
        guard Self.isPlainIdentifier(schema) else {
            throw SyncEngineError(.invalidArgument, "schema \"\(schema.prefix(70))\": use 1–63 lower-case letters, digits and underscores, not starting with a digit")
        }
        maxConnections = Int(query["pool"] ?? "16") ?? 0
        guard (1...1_000).contains(maxConnections) else {
            throw SyncEngineError(.invalidArgument, "pool=\(query["pool"] ?? "") in \(Self.redacted(text)): give 1…1000 connections")
        }
        let timeout = Int(query["operation_timeout"] ?? "60") ?? 0
        guard (1...86_400).contains(timeout) else {
            throw SyncEngineError(.invalidArgument, "operation_timeout=\(query["operation_timeout"] ?? "") in \(Self.redacted(text)): give 1…86400 seconds")
        }
        operationTimeout = .seconds(timeout)
    }

    /// The same location with another schema: a test's or a shard's own tables.
    public func withSchema(_ name: String) throws(SyncEngineError) -> PostgresLocation {
        guard Self.isPlainIdentifier(name) else { throw SyncEngineError(.invalidArgument, "schema \"\(name.prefix(70))\" is not a plain identifier") }
        var copy = self
        copy.schema = name
        return copy
    }

    /// For logs: never the password.
    public var description: String {
        let endpoint = socketPath.map { "socket \($0)" } ?? "\(host):\(port) sslmode \(tlsMode.rawValue)"
        return "postgres \(username)@\(endpoint)/\(database) schema \(schema)"
    }

    /// The TLS configuration `tlsMode` and `rootCertificatePath` ask for; nil for `disable`.
    func tlsConfiguration() throws(SyncEngineError) -> TLSConfiguration? {
        guard tlsMode != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch tlsMode {
        case .disable: return nil
        case .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let path = rootCertificatePath, tlsMode != .require {
            do { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path)) } catch {
                throw SyncEngineError(.invalidArgument, "sslrootcert=\(path): not a PEM file of certificates (\(error))")
            }
        }
        return configuration
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, (1...63).contains(name.utf8.count), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// A URL with its password replaced, for error messages.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return String(text.prefix(200)) }
        url.password = "***"
        return String((url.string ?? "").prefix(200))
    }

    /// The socket file: a directory holds the server's, as libpq's `host=` does.
    var socketFile: String? {
        socketPath.map { $0.hasSuffix(".s.PGSQL.\(port)") ? $0 : $0 + "/.s.PGSQL.\(port)" }
    }

    /// One connection, to see at start whether the database answers at all.
    func probeConfiguration() throws -> PostgresConnection.Configuration {
        if let socketFile { return .init(unixSocketPath: socketFile, username: username, password: password, database: database) }
        let tls: PostgresConnection.Configuration.TLS = try tlsConfiguration().map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Self.connectTimeout.components.seconds))
        return configuration
    }

    /// How long opening a connection (TCP and the TLS handshake) may take: a loaded machine
    /// handshaking many pool connections at once needs more than the driver's 10 s.
    static let connectTimeout: Duration = .seconds(30)

    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFile {
            configuration = .init(unixSocketPath: socketFile, username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS = try tlsConfiguration().map { .require($0) } ?? .disable
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        // A statement or a transaction left open (an instance cut off from the database mid-push)
        // must not hold the sequence lock for long: PostgreSQL ends it after a minute.
        configuration.options.additionalStartupParameters = [
            ("search_path", schema), ("application_name", "doorstep-server"),
            ("statement_timeout", "60s"), ("idle_in_transaction_session_timeout", "60s"),
        ]
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = Self.connectTimeout
        return configuration
    }
}
