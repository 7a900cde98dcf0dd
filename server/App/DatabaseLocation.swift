import Logging
import ServerEngine
import ServerHTTP
import ServerPostgres
import ServerSQLite

/// Where a server keeps everything: `sqlite` (`server.sqlite` in the data directory, one
/// process) or a `postgres://` URL that several instances share.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite
    case postgres(PostgresLocation)

    /// Parses `sqlite` or a `postgres://` (`postgresql://`) URL; the message never holds a password.
    public init(_ text: String) throws(ServerAppError) {
        if text == "sqlite" {
            self = .sqlite
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw ServerAppError(.invalidConfiguration, "database \(text.prefix(60)) is neither sqlite nor a postgres:// URL")
        }
        do {
            self = .postgres(try PostgresLocation(url: text))
        } catch {
            throw ServerAppError(.invalidConfiguration, error.message)
        }
    }

    /// For logs: never the password.
    public var description: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres(let location): location.description
        }
    }

    /// Opens (creating and migrating) the store; logs where it is, never a password.
    func open(dataDirectory: String, logger: Logger) async throws -> any ServerStore {
        switch self {
        case .sqlite:
            let path = dataDirectory + "/server.sqlite"
            logger.notice("database", metadata: ["backend": "sqlite", "file": "\(path)"])
            return try SQLiteSyncStore(path: path)
        case .postgres(let location):
            logger.notice("database", metadata: ["backend": "postgres", "location": "\(location)"])
            return try await PostgresSyncStore.open(location, logger: logger)
        }
    }
}
