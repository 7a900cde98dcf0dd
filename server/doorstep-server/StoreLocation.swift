import ArgumentParser
import Foundation
import Logging
import ServerApp
import ServerHTTP

/// The store a host command opens itself, with its key ring: the same settings `serve` reads
/// (options here, then `DOORSTEP_…` variables), so it opens exactly what the server opens.
struct StoreLocation: ParsableArguments {
    @Option(help: "The server's data directory (its SQLite store, and where admin.token is written). [env: DOORSTEP_DATA_DIR]")
    var dataDir: String?

    @Option(help: "sqlite, or the server's postgres:// URL. [env: DOORSTEP_DATABASE]")
    var database: String?

    @Option(help: "The key ring (else DOORSTEP_KEY_FILE, DOORSTEP_DATA_KEYS, or SQLite's <data-dir>/server.sqlite.keys).")
    var keyFile: String?

    func configuration() async throws -> ServerConfiguration {
        let options = ["dataDir": dataDir, "database": database, "keyFile": keyFile].compactMapValues { $0.map(ServerSetting.Value.text) }
        do { return try await ServerConfiguration.load(options: options, environment: ProcessInfo.processInfo.environment) } catch {
            throw ValidationError(error.message)
        }
    }

    func open() async throws -> (ServerConfiguration, any ServerStore) {
        let configuration = try await configuration()
        if case .sqlite = configuration.database, !FileManager.default.fileExists(atPath: configuration.dataDirectory + "/server.sqlite") {
            throw ValidationError("no server database in \(configuration.dataDirectory); point --data-dir at the server's data directory")
        }
        do { return (configuration, try await configuration.openStore(logger: .silent)) } catch let error as ServerAppError {
            throw ValidationError(error.message)
        }
    }

    /// Opens the store, runs `body` on it and closes it, whether `body` succeeds or not; a
    /// failure becomes the command's error, with its message.
    func withOpened<T>(_ body: (any ServerStore) async throws -> T) async throws -> T {
        let (_, opened) = try await open()
        do {
            let result = try await body(opened)
            try await opened.close()
            return result
        } catch {
            try? await opened.close()
            throw error is ValidationError ? error : ValidationError("\(error)")
        }
    }
}
