import ArgumentParser
import DataProtection
import Foundation
import NIOSSL
import ServerHTTP

/// Where the data keys come from: the key file or `DOORSTEP_DATA_KEYS`, never the database.
struct KeyOptions: ParsableArguments {
    @Option(help: """
        The key ring that seals personal data at rest (mode 0600), kept away from the database and its backups. \
        Default for SQLite: <data-dir>/server.sqlite.keys, created on first start (for trying the server; not for production). \
        PostgreSQL needs one, the same for every instance (`doorstep-server admin generate-key`). [env: DOORSTEP_KEY_FILE; \
        or the ring itself in DOORSTEP_DATA_KEYS]
        """)
    var keyFile: String? = ProcessInfoEnvironment.value("DOORSTEP_KEY_FILE")

    /// The key ring for the store `database` names in `dataDir`.
    func keyRing(database: String, dataDir: String) async throws -> KeyRing {
        let source: any KeyRingSource
        if let keyFile {
            source = KeyRingFile(path: keyFile)
        } else if let text = ProcessInfoEnvironment.value("DOORSTEP_DATA_KEYS") {
            source = KeyRingVariable(name: "DOORSTEP_DATA_KEYS", value: text)
        } else if database == "sqlite" {
            source = KeyRingFile(path: dataDir + "/server.sqlite.keys", createIfMissing: true)
        } else {
            throw ValidationError("a PostgreSQL store needs its key ring: --key-file FILE (or DOORSTEP_DATA_KEYS), the same for every instance; make one with `doorstep-server admin generate-key --key-file FILE`")
        }
        do { return try await source.load() } catch { throw ValidationError(error.message) }
    }
}

/// HTTPS, proxies and connection timeouts of `serve`.
struct TransportOptions: ParsableArguments {
    @Option(help: "A PEM certificate chain: the server terminates TLS itself (with --tls-key). [env: DOORSTEP_TLS_CERTIFICATE]")
    var tlsCertificate: String? = ProcessInfoEnvironment.value("DOORSTEP_TLS_CERTIFICATE")

    @Option(help: "The PEM private key of --tls-certificate. [env: DOORSTEP_TLS_KEY]")
    var tlsKey: String? = ProcessInfoEnvironment.value("DOORSTEP_TLS_KEY")

    @Flag(help: "Clients reach the server through an HTTPS proxy (cookies Secure, HSTS sent), as with --tls-certificate.")
    var behindHttpsProxy = false

    @Option(help: "Comma-separated addresses or networks (10.0.0.0/8) of proxies whose X-Forwarded-For names the client. [env: DOORSTEP_TRUSTED_PROXIES]")
    var trustedProxies = ProcessInfoEnvironment.value("DOORSTEP_TRUSTED_PROXIES") ?? ""

    @Option(help: "Seconds a connection may stay idle between requests before it is closed.")
    var idleTimeout = 75.0

    @Option(help: "Seconds a request may go without sending a byte of its body before its connection is closed.")
    var readTimeout = 30.0

    @Option(help: "Failed authentications one client address may make at once before 429.")
    var failedAuthBurst = 20.0

    @Option(help: "Failed authentications per second one client address may make after its burst.")
    var failedAuthsPerSecond = 0.2

    @Option(help: "Seconds between two reads of the store's figures for /metrics, however often it is scraped.")
    var metricsRefresh = 15.0

    func validate() throws {
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
        guard idleTimeout > 0, readTimeout > 0, metricsRefresh >= 0 else { throw ValidationError("--idle-timeout and --read-timeout must be positive, --metrics-refresh not negative") }
        guard failedAuthBurst >= 1, failedAuthsPerSecond > 0 else { throw ValidationError("--failed-auth-burst must be ≥ 1 and --failed-auths-per-second > 0") }
        for proxy in proxyList where !ServerSecurity.isAddressOrNetwork(proxy) {
            throw ValidationError("--trusted-proxies: \(proxy) is not an address or a network like 10.0.0.0/8")
        }
    }

    var proxyList: [String] { trustedProxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    var security: ServerSecurity {
        var s = ServerSecurity()
        s.https = tlsCertificate != nil || behindHttpsProxy
        s.trustedProxies = proxyList
        s.idleTimeoutSeconds = idleTimeout
        s.readTimeoutSeconds = readTimeout
        return s
    }

    func tls() throws -> TLSConfiguration? {
        guard let tlsCertificate, let tlsKey else { return nil }
        do { return try DoorstepServer.tlsConfiguration(certificateChain: tlsCertificate, privateKey: tlsKey) } catch {
            throw ValidationError("--tls-certificate \(tlsCertificate) / --tls-key \(tlsKey): \(error)")
        }
    }
}
