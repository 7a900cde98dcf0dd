import Synchronization
import SyntheticData

/// Simulated time, in milliseconds since the epoch, shared by the server and every device.
/// Nothing in a simulation reads the real clock, so a seed replays identically.
public final class SimClock: Sendable {
    private let now: Mutex<Int64>

    public init(start: Int64) { now = Mutex(start) }

    public var milliseconds: Int64 { now.withLock { $0 } }

    public func advance(by ms: Int64) { now.withLock { $0 += max(0, ms) } }
}

/// The simulation's one source of randomness, shared (under a lock) by the transports and the
/// scheduler so that every decision follows from the seed.
public final class SimRandom: Sendable {
    private let state: Mutex<SeededGenerator>

    public init(seed: UInt64) { state = Mutex(SeededGenerator(seed: seed)) }

    public func next() -> UInt64 { state.withLock { $0.next() } }

    /// Uniform in [0, 1).
    public func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public func chance(_ p: Double) -> Bool { unit() < p }

    public func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    public func pick<C: RandomAccessCollection>(_ c: C) -> C.Element {
        c[c.index(c.startIndex, offsetBy: int(0...(c.count - 1)))]
    }
}

/// A `RandomNumberGenerator` view of `SimRandom`, for APIs that take one (record ids).
public struct SimRandomGenerator: RandomNumberGenerator {
    let source: SimRandom
    public init(_ source: SimRandom) { self.source = source }
    public mutating func next() -> UInt64 { source.next() }
}
