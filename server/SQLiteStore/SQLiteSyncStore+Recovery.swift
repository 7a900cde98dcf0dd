import GRDB
import ServerEngine

extension SQLiteSyncStore {
    public func recoveryMark() async throws -> RecoveryMark {
        try await guarded("recoveryMark") { try await pool.read { db in try Self.recoveryMark(db) } }
    }

    /// The mark as `db` holds it: a backup's copy is read the same way to learn what it holds.
    static func recoveryMark(_ db: Database) throws -> RecoveryMark {
        let epoch = try Meta.epoch.get(db)
        return RecoveryMark(epoch: epoch == 0 ? RecoveryMark.firstEpoch : epoch, lastSequence: try Meta.lastSequence.get(db),
                            backedUpThrough: try Meta.backedUpThrough.get(db),
                            backedUpAtMilliseconds: Int64(bitPattern: try Meta.backedUpAt.get(db)))
    }

    public func recordBackup(through sequence: UInt64, at milliseconds: Int64) async throws {
        try await guarded("recordBackup") {
            try await pool.write { db in
                guard sequence >= (try Meta.backedUpThrough.get(db)) else { return }
                try Meta.backedUpThrough.set(db, sequence)
                try Meta.backedUpAt.set(db, UInt64(bitPattern: milliseconds))
            }
        }
    }

    public func markRestored() async throws -> UInt64 {
        let epoch = UInt64.random(in: 2...UInt64.max)
        try await guarded("markRestored") {
            try await pool.write { db in
                try Meta.epoch.set(db, epoch)
                _ = try Meta.serverCounter.add(db, RecoveryMark.serverCounterJump)
                try Meta.backedUpThrough.set(db, 0)
                try Meta.backedUpAt.set(db, 0)
            }
        }
        return epoch
    }
}
