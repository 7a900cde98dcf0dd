import DataProtection
import Foundation
import Logging
import NIOSSL
import ServerHTTP

/// Where a server's keys and certificates come from (SPEC §11.6): settings of
/// `ServerConfiguration`, resolved here for `buildApplication` and the host's admin commands.
extension ServerConfiguration {
    /// The key ring that seals the store: `keyFile`, else the ring in `dataKeys`
    /// (`DOORSTEP_DATA_KEYS`), else — SQLite only — `<dataDirectory>/server.sqlite.keys`, created
    /// on first start (for trying the server: in production the keys live elsewhere).
    /// PostgreSQL needs one of the first two: every instance must seal with the same ring.
    public func keyRing() async throws(ServerAppError) -> KeyRing {
        let source: any KeyRingSource
        if let keyFile {
            source = KeyRingFile(path: keyFile)
        } else if let dataKeys {
            source = KeyRingVariable(name: "DOORSTEP_DATA_KEYS", value: dataKeys)
        } else if case .sqlite = database {
            source = KeyRingFile(path: dataDirectory + "/server.sqlite.keys", createIfMissing: true)
        } else {
            throw ServerAppError(.invalidConfiguration,
                                 "a PostgreSQL store needs its key ring: keyFile (--key-file, DOORSTEP_KEY_FILE) or the ring in DOORSTEP_DATA_KEYS, the same for every instance; make one with `doorstep-server admin generate-key --key-file FILE`")
        }
        do { return try await source.load() } catch {
            throw ServerAppError(.invalidConfiguration, error.message)
        }
    }

    /// Opens the store with its key ring: what `buildApplication` and the host's commands open.
    public func openStore(logger: Logger) async throws -> any ServerStore {
        let keys = try await keyRing()
        return try await database.open(dataDirectory: dataDirectory, keys: keys, logger: logger)
    }

    /// The server's own TLS, when `tlsCertificate` and `tlsKey` name PEM files.
    public func tlsConfiguration() throws(ServerAppError) -> TLSConfiguration? {
        guard let tlsCertificate, let tlsKey else { return nil }
        do { return try DoorstepServer.tlsConfiguration(certificateChain: tlsCertificate, privateKey: tlsKey) } catch {
            throw ServerAppError(.invalidConfiguration, "tlsCertificate \(tlsCertificate) with tlsKey \(tlsKey): \(error)")
        }
    }

    /// What clients see: HTTPS when the server terminates TLS or sits behind an HTTPS proxy.
    var effectiveSecurity: ServerSecurity {
        var s = security
        s.https = s.https || tlsCertificate != nil
        return s
    }
}
