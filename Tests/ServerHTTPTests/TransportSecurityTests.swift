import AsyncHTTPClient
import FieldModel
import Foundation
import NIOSSL
import Replica
import ServerDirectory
import ServerEngine
import ServerApp
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import Testing

/// The server terminates TLS itself; devices refuse plain http except to their own machine;
/// under HTTPS cookies are Secure and HSTS is sent (SPEC §11.6).
@Suite("Transport security: HTTPS, HSTS, plain http refused")
struct TransportSecurityTests {
    @Test func aDeviceEnrolsAndSyncsOverTheServersOwnTLS() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-tls-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certificates = try await TestCertificates.make(in: dir + "/tls")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = dir + "/data"
        configuration.port = 0
        configuration.tlsCertificate = certificates.certificate
        configuration.tlsKey = certificates.key
        let running = try await buildApplication(configuration, logger: .silent).start()
        let adminToken = try #require(running.application.administratorToken)
        var trusting = HTTPClient.Configuration()
        trusting.decompression = .disabled
        trusting.redirectConfiguration = .disallow
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .file(certificates.ca)
        trusting.tlsConfiguration = clientTLS
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: trusting)
        do {
            #expect(running.url.scheme == "https")
            let admin = APIClient(server: running.url, token: adminToken, client: client)
            let worker = HTTPFixture.assistant(HTTPFixture.villageA)
            _ = try await admin.createWorker(WorkerDocument(worker))
            let code = try await admin.issueCode(worker: worker.id.rawValue)
            let enrolment = try await DeviceEnrolment.enrol(server: running.url, code: code.code, replica: ReplicaID(0x7151), deviceName: "phone", client: client)
            let replica = try enrolment.openReplica(at: dir + "/device.sqlite", wallClock: DoorstepServer.systemClock)
            let report = await SyncClient(replica: replica, transport: HTTPTransport(server: running.url, token: enrolment.token, client: client),
                                          sleep: { _ in }, jitter: { 0.5 }, now: DoorstepServer.systemClock).sync()
            #expect(report.succeeded, "\(report.outcome)")

            // HSTS on every answer, errors included; the ops session cookie is Secure.
            let health = try await client.execute(HTTPClientRequest(url: running.url.absoluteString + "/healthz"), timeout: .seconds(30))
            #expect(health.headers["Strict-Transport-Security"].first == "max-age=31536000")
            let denied = try await client.execute(HTTPClientRequest(url: running.url.absoluteString + "/v1/conflicts"), timeout: .seconds(30))
            #expect(denied.status.code == 401 && denied.headers["Strict-Transport-Security"].first == "max-age=31536000")
            var login = HTTPClientRequest(url: running.url.absoluteString + "/ops/login")
            login.method = .POST
            login.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            login.body = .bytes(Array("token=\(adminToken)".utf8))
            let session = try await client.execute(login, timeout: .seconds(30))
            #expect(session.status.code == 303 && session.headers["Set-Cookie"].first?.contains("; Secure") == true)

            // A client that does not trust the test CA is refused at the handshake.
            await #expect(throws: (any Error).self) {
                _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: running.url.absoluteString + "/healthz"), timeout: .seconds(30))
            }
            try replica.close()
        } catch {
            try? await client.shutdown()
            await running.stop()
            throw error
        }
        try await client.shutdown()
        await running.stop()
    }

    @Test(arguments: [
        ("http://10.1.2.3:8080", false, "insecure_transport"),
        ("http://doorstep.example.gov.cn", false, "insecure_transport"),
        ("ftp://127.0.0.1", false, "invalid_argument"),
        ("http://127.0.0.1:9", false, nil), ("http://localhost:9", false, nil), ("http://[::1]:9", false, nil),
        ("https://doorstep.example.gov.cn", false, nil), ("http://10.1.2.3:9", true, nil),
    ] as [(String, Bool, String?)])
    func plainHTTPOnlyToThisMachine(url: String, allowInsecure: Bool, refusal: String?) {
        let checked = Result { () throws(TransportError) in try ServerAddressPolicy.check(URL(string: url)!, allowInsecureHTTP: allowInsecure) }
        switch (checked, refusal) {
        case (.success, nil): break
        case (.failure(let error), let code?): #expect(error.kind == .refused(status: 0, code: code), "\(url): \(error)")
        default: Issue.record("\(url): \(checked)")
        }
    }

    @Test func aTransportToAnotherMachineOverPlainHTTPSendsNothing() async throws {
        var transport = HTTPTransport(server: URL(string: "http://192.0.2.1:8080")!, token: "dst_x")
        let error = await #expect(throws: TransportError.self) { _ = try await transport.exchange([1, 2, 3]) }
        #expect(error?.kind == .refused(status: 0, code: "insecure_transport"), "refused before any connection is tried")
        transport.allowInsecureHTTP = true
        transport.timeout = .milliseconds(200)
        let unreachable = await #expect(throws: TransportError.self) { _ = try await transport.exchange([1, 2, 3]) }
        #expect(unreachable?.kind == .unreachable, "allowed, it tries (192.0.2.1 answers nobody)")
    }
}
