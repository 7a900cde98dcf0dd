import Foundation
import GRDB
import ServerDirectory
import ServerEngine

/// The chains of the audit and security logs (`LogChain`): appended under the pool's single
/// writer, so entries chain in id order.
extension SQLiteSyncStore: ChainedLogStore {
    public func chainState(_ log: ChainedLog) async throws -> LogChainState {
        try await guarded("chainState") { try await pool.read { db in try Self.chainState(log, db) } }
    }

    static func chainState(_ log: ChainedLog, _ db: Database) throws -> LogChainState {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT anchor_id, anchor, head_id, head FROM log_chains WHERE log = ?"),
                                         arguments: [log.rawValue]) else {
            throw SyncEngineError(.storage, "the chain of \(log.rawValue) has no anchor row")
        }
        return LogChainState(log: log, anchorID: row[0], anchor: [UInt8](row[1] as Data), headID: row[2], head: [UInt8](row[3] as Data))
    }

    public func verify(_ log: ChainedLog) async throws -> LogVerification {
        try await guarded("verify") {
            try await pool.read { db in
                let state = try Self.chainState(log, db)
                var walk = ChainWalk(key: chains.key(log), state: state)
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(log.rawValue) WHERE id > ? ORDER BY id", arguments: [state.anchorID])
                while let row = try rows.next() {
                    let entry: [UInt8] = switch log {
                    case .audit: try Self.auditEntry(row).chainBytes
                    case .security: try Self.securityEvent(row).chainBytes
                    }
                    guard walk.check(id: row["id"], entry: entry, stored: (row["chain"] as Data?).map { [UInt8]($0) }) else { break }
                }
                return walk.finish()
            }
        }
    }

    /// Moves the anchor of `log` to entry `id`, whose link becomes the anchor: the retention
    /// does it in the transaction that archives and deletes the entries up to `id`, so the kept
    /// entries verify from there and the archive files hold the chain before. Entries from
    /// before the log was chained leave the anchor where it is.
    static func moveAnchor(_ log: ChainedLog, through id: Int64, _ db: Database) throws {
        let state = try chainState(log, db)
        guard id > state.anchorID else { return }
        guard id <= state.headID, let link = try Data.fetchOne(db, sql: "SELECT chain FROM \(log.rawValue) WHERE id = ?", arguments: [id]) else {
            throw SyncEngineError(.invalidArgument, "\(log.rawValue) has no chained entry \(id) to anchor at (chained: \(state.anchorID + 1)…\(state.headID))")
        }
        try db.execute(sql: "UPDATE log_chains SET anchor_id = ?, anchor = ? WHERE log = ?", arguments: [id, link, log.rawValue])
    }
}

/// A log's head inside a write transaction: read once, advanced per appended entry, saved.
struct LogHead {
    let log: ChainedLog
    private(set) var head: [UInt8]
    private var id: Int64
    private var moved = false

    init(_ log: ChainedLog, _ db: Database) throws {
        let state = try SQLiteSyncStore.chainState(log, db)
        self.log = log
        head = state.head
        id = state.headID
    }

    mutating func advance(to link: [UInt8], id: Int64) {
        head = link
        self.id = id
        moved = true
    }

    func save(_ db: Database) throws {
        guard moved else { return }
        try db.cachedStatement(sql: "UPDATE log_chains SET head = ?, head_id = ? WHERE log = ?").execute(arguments: [Data(head), id, log.rawValue])
    }
}
