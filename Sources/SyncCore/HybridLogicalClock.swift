/// A hybrid logical clock reading: milliseconds of (corrected) wall time in the high 48 bits and
/// a logical counter in the low 16.
///
/// It orders writes for display and breaks ties between concurrent `lww` writes. It never decides
/// causality — version vectors do — so a device whose clock is wrong can lose a tie, never a write.
public struct HLCTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(milliseconds: Int64, logical: UInt16) {
        rawValue = UInt64(max(0, min(milliseconds, HLCTimestamp.maxMilliseconds))) << 16 | UInt64(logical)
    }

    public var milliseconds: Int64 { Int64(rawValue >> 16) }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static let zero = HLCTimestamp(rawValue: 0)
    static let maxMilliseconds: Int64 = (1 << 48) - 1

    public var description: String { "\(milliseconds).\(logical)" }
    public static func < (a: HLCTimestamp, b: HLCTimestamp) -> Bool { a.rawValue < b.rawValue }
}

/// The clock a replica stamps its writes with (Kulkarni et al., 2014), over an injected wall clock.
///
/// `offset` corrects a device clock that is known to be wrong: each sync response carries the
/// server's time, and the device keeps the difference, so a phone set a year ahead stamps
/// writes as the server would.
public struct HybridLogicalClock: Sendable {
    /// Milliseconds since the epoch, as the device believes.
    public let wallClock: @Sendable () -> Int64
    /// Added to the wall clock: server time minus device time, as last measured.
    public var offset: Int64 = 0
    public private(set) var last: HLCTimestamp

    public init(last: HLCTimestamp = .zero, wallClock: @escaping @Sendable () -> Int64) {
        self.wallClock = wallClock
        self.last = last
    }

    /// The reading for a new local write: later than every reading made or observed before.
    public mutating func now() -> HLCTimestamp {
        let wall = wallClock() &+ offset
        if wall > last.milliseconds {
            last = HLCTimestamp(milliseconds: wall, logical: 0)
        } else {
            last = advance(last.milliseconds, after: last.logical)
        }
        return last
    }

    /// Takes in a reading made elsewhere, so the next local reading orders after it.
    public mutating func observe(_ remote: HLCTimestamp) {
        let wall = wallClock() &+ offset
        let physical = max(wall, last.milliseconds, remote.milliseconds)
        if physical == last.milliseconds && physical == remote.milliseconds {
            last = advance(physical, after: max(last.logical, remote.logical))
        } else if physical == last.milliseconds {
            last = advance(physical, after: last.logical)
        } else if physical == remote.milliseconds {
            last = advance(physical, after: remote.logical)
        } else {
            last = HLCTimestamp(milliseconds: physical, logical: 0)
        }
    }

    /// Forgets readings ahead of the corrected wall clock. Only for when the server refused
    /// changes as stamped in the future: the device re-stamps them, and the readings that
    /// follow must come from the corrected clock, not from the bad reading.
    public mutating func forgetReadingsAhead() {
        let wall = wallClock() &+ offset
        if last.milliseconds > wall { last = HLCTimestamp(milliseconds: wall, logical: 0) }
    }

    /// Learns how far the device clock is from the server's.
    public mutating func correct(serverMilliseconds: Int64) {
        offset = serverMilliseconds &- wallClock()
    }

    /// The next logical tick; when the 16-bit counter is exhausted the millisecond moves on.
    private func advance(_ ms: Int64, after logical: UInt16) -> HLCTimestamp {
        logical == .max ? HLCTimestamp(milliseconds: ms + 1, logical: 0) : HLCTimestamp(milliseconds: ms, logical: logical + 1)
    }
}
