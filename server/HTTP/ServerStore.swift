import ServerDirectory
import ServerEngine
import ServerOps

/// Everything a server keeps, in one backend: records and logs, the directory, ops history,
/// the blind index, the log chains, the supervision facts and the attachments' bytes. `SQLiteSyncStore` (one file, one process) and
/// `PostgresSyncStore` (one database, several instances) are the two. The retention trims
/// what would otherwise only grow.
public typealias ServerStore = DirectoryStore & OpsStore & SyncStore & PeopleStore & ChainedLogStore & RetentionStore & SupervisionStore & AttachmentStore
