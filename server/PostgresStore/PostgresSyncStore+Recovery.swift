import ServerEngine

extension PostgresSyncStore {
    public func recoveryMark() async throws -> RecoveryMark {
        try await readAlone("recoveryMark") { c in
            let meta = try await Meta.all(c)
            let epoch = meta[.epoch] ?? 0
            return RecoveryMark(epoch: epoch == 0 ? RecoveryMark.firstEpoch : epoch, lastSequence: meta[.lastSequence] ?? 0,
                                backedUpThrough: meta[.backedUpThrough] ?? 0,
                                backedUpAtMilliseconds: Int64(bitPattern: meta[.backedUpAt] ?? 0))
        }
    }

    public func recordBackup(through sequence: UInt64, at milliseconds: Int64) async throws {
        let through = Int64(bitPattern: sequence)
        try await write("recordBackup") { c in
            let current = try await c.rows("SELECT value FROM meta WHERE key = \(Meta.backedUpThrough.rawValue) FOR UPDATE")
            if let row = current.first, try row.decode(Int64.self) > through { return }
            try await Self.setMeta(.backedUpThrough, through, c)
            try await Self.setMeta(.backedUpAt, milliseconds, c)
        }
    }

    public func markRestored() async throws -> UInt64 {
        let epoch = UInt64.random(in: 2...UInt64.max)
        try await write("markRestored") { c in
            try await Self.setMeta(.epoch, Int64(bitPattern: epoch), c)
            _ = try await Meta.add(.serverCounter, Int64(RecoveryMark.serverCounterJump), c)
            try await Self.setMeta(.backedUpThrough, 0, c)
            try await Self.setMeta(.backedUpAt, 0, c)
        }
        return epoch
    }

    static func setMeta(_ key: Meta, _ value: Int64, _ c: PostgresSession) async throws {
        try await c.run("INSERT INTO meta (key, value) VALUES (\(key.rawValue), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    }
}
