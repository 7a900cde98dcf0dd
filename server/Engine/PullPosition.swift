import SyncCore

/// What the store has purged: how many purges removed something, and the highest sequence
/// removed. Read in one snapshot, so the two agree.
public struct PurgeMark: Sendable, Hashable {
    public var generation: UInt64
    public var sequence: UInt64

    public init(generation: UInt64, sequence: UInt64) {
        self.generation = generation
        self.sequence = sequence
    }

    public static let none = PurgeMark(generation: 0, sequence: 0)
}

/// A village's pull position as the device stores it (opaque to the device, SPEC §4): the
/// sequence it has pulled through, and the purge generation its pull chain was last vouched for in.
///
/// Why the generation: a device at sequence `s` must re-bootstrap when a purge removed a
/// tombstone above `s` that it may never have seen, i.e. when `s` is below the purged sequence.
/// But a device *re-bootstrapping* after that purge also sits below it for several pages; it holds
/// nothing the purge removed (those records were gone before it started), so it must be allowed to
/// go on. The generation tells the two apart: positions issued since the latest purge are safe.
///
/// Layout: `generation << 44 | sequence`. Before the first purge the position is the sequence.
public struct PullPosition: Sendable, Hashable {
    public let generation: UInt64
    public let sequence: UInt64

    static let sequenceBits: UInt64 = 44
    static let sequenceMask: UInt64 = (1 << sequenceBits) - 1

    public init(generation: UInt64, sequence: UInt64) {
        precondition(sequence <= Self.sequenceMask, "sequence \(sequence) exceeds 2^44 - 1")
        self.generation = generation & ((1 << (64 - Self.sequenceBits)) - 1)
        self.sequence = sequence
    }

    public init(rawValue: UInt64) {
        generation = rawValue >> Self.sequenceBits
        sequence = rawValue & Self.sequenceMask
    }

    public var rawValue: UInt64 { generation << Self.sequenceBits | sequence }

    /// Whether a device at this position may hold a record a purge removed without having seen
    /// its tombstone. Position 0 holds nothing; a generation the store never reached is not one
    /// it issued (another server's, or forged) and is treated as stale too.
    public func isStale(after mark: PurgeMark) -> Bool {
        guard rawValue != 0 else { return false }
        if generation > mark.generation { return true }
        return generation < mark.generation && sequence < mark.sequence
    }
}
