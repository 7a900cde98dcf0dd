import SyncCore

public enum ServerDefaults {
    /// The server's own replica: the dot of resolutions, filings and imports. Every server
    /// instance sharing a store uses it; counters are reserved in the store, so never twice.
    public static let serverReplica = ReplicaID(0x5E12_0000_0000_0001)
}
