import DataProtection
import Logging
import ServerEngine
import ServerHTTP
import ServerPostgres
import ServerSQLite

/// Which backend `serve --database` names: `sqlite` (the default: `server.sqlite` in the data
/// directory) or a `postgres://` URL shared by several instances.
enum DatabaseChoice {
    static let help = "sqlite (server.sqlite in the data directory), or postgres://user[:password]@host[:port]/database[?schema=NAME&pool=N], shared by several instances. [env: DOORSTEP_DATABASE]"

    static func validate(_ database: String) throws(SyncEngineError) {
        guard database != "sqlite" else { return }
        guard database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") else {
            throw SyncEngineError(.invalidArgument, "--database \(database.prefix(60)) is neither sqlite nor a postgres:// URL")
        }
        _ = try PostgresLocation(url: database)
    }

    /// Opens (creating and migrating) the store, sealing with `keys`; logs where it is, never a
    /// password or a key.
    static func open(_ database: String, dataDir: String, keys: KeyRing, logger: Logger) async throws -> any ServerStore {
        if database == "sqlite" {
            let path = dataDir + "/server.sqlite"
            logger.notice("database", metadata: ["backend": "sqlite", "file": "\(path)", "data_key": "\(keys.activeKeyID)"])
            return try SQLiteSyncStore(path: path, keys: keys)
        }
        let location = try PostgresLocation(url: database)
        logger.notice("database", metadata: ["backend": "postgres", "location": "\(location)", "data_key": "\(keys.activeKeyID)"])
        return try await PostgresSyncStore.open(location, keys: keys, logger: logger)
    }
}
