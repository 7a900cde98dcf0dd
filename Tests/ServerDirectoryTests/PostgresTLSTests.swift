import Foundation
import LoadSimulation
import Logging
import PostgresNIO
import ServerEngine
@testable import ServerPostgres
import TestSupport
import Testing

/// The PostgreSQL suites run over TLS with the server's certificate verified (scripts/test.sh
/// starts a cluster that accepts nothing else over TCP); a certificate from another authority
/// is refused (SPEC §11.6).
@Suite("PostgreSQL over TLS", .enabled(if: TestPostgres.runs))
struct PostgresTLSTests {
    static let logger = Logger(label: "doorstep.tests.tls")

    func ssl(_ location: PostgresLocation) async throws -> Bool {
        let connection = try await PostgresConnection.connect(configuration: try location.probeConfiguration(), id: 7, logger: Self.logger)
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Self.logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
    }

    @Test func theTestClusterIsReachedWithVerifyFullOverTLS() async throws {
        let location = try PostgresLocation(url: try TestPostgres.requireURL())
        #expect(location.tlsMode == .verifyFull && location.rootCertificatePath != nil,
                "scripts/test.sh runs the PostgreSQL suites with sslmode=verify-full and the cluster's CA")
        #expect(try await ssl(location))
        var require = location
        require.tlsMode = .require
        require.rootCertificatePath = nil
        #expect(try await ssl(require), "require: TLS without checking the certificate")
        var plain = location
        plain.tlsMode = .disable
        await #expect(throws: (any Error).self, "the cluster refuses plain TCP") { _ = try await ssl(plain) }
    }

    @Test func aCertificateFromAnotherAuthorityIsRefused() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-other-ca-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                                              ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Another CA",
                                               "-keyout", "ca.key", "-out", "ca.crt"], in: dir)
        try #require(made.status == 0, "\(made.output)")
        var location = try PostgresLocation(url: try TestPostgres.requireURL())
        location.rootCertificatePath = dir + "/ca.crt"
        await #expect(throws: (any Error).self) { _ = try await ssl(location) }
        let error = await #expect(throws: SyncEngineError.self) { _ = try await PostgresSyncStore.open(location, keys: DirectoryTestKeys.ring) }
        #expect(error?.message.contains("cannot open the server database") == true)
    }
}
