import Foundation
import GRDB

/// One sync attempt as the device remembers it: for the worker's "last sync" line and for ops.
public struct SyncLogEntry: Sendable, Hashable, Codable {
    public var startedMilliseconds: Int64
    public var finishedMilliseconds: Int64
    /// `ok`, or the failure's code (`offline`, `rejected_request`, …).
    public var result: String
    public var reason: String?
    public var pushed: Int
    public var acked: Int
    public var rejected: Int
    public var pulled: Int
    public var bytesUp: Int
    public var bytesDown: Int

    public init(startedMilliseconds: Int64, finishedMilliseconds: Int64, result: String, reason: String?,
                pushed: Int, acked: Int, rejected: Int, pulled: Int, bytesUp: Int, bytesDown: Int) {
        self.startedMilliseconds = startedMilliseconds
        self.finishedMilliseconds = finishedMilliseconds
        self.result = result
        self.reason = reason
        self.pushed = pushed
        self.acked = acked
        self.rejected = rejected
        self.pulled = pulled
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }
}

extension Replica {
    public func recordSync(_ entry: SyncLogEntry) throws(ReplicaError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO sync_log (started_ms, finished_ms, result, reason, pushed, acked, rejected, pulled, bytes_up, bytes_down)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.startedMilliseconds, entry.finishedMilliseconds, entry.result, entry.reason, entry.pushed,
                                 entry.acked, entry.rejected, entry.pulled, entry.bytesUp, entry.bytesDown])
        }
    }

    /// The most recent sync attempt, nil before the first.
    public func lastSync() throws(ReplicaError) -> SyncLogEntry? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_log ORDER BY id DESC LIMIT 1").map(SyncLogEntry.init(row:))
        }
    }

    /// The most recent successful sync, nil if none.
    public func lastSuccessfulSync() throws(ReplicaError) -> SyncLogEntry? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_log WHERE result = 'ok' ORDER BY id DESC LIMIT 1").map(SyncLogEntry.init(row:))
        }
    }
}

extension SyncLogEntry {
    init(row r: Row) {
        self.init(startedMilliseconds: r["started_ms"], finishedMilliseconds: r["finished_ms"], result: r["result"],
                  reason: r["reason"], pushed: r["pushed"], acked: r["acked"], rejected: r["rejected"],
                  pulled: r["pulled"], bytesUp: r["bytes_up"], bytesDown: r["bytes_down"])
    }
}
