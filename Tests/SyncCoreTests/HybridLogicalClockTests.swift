import Synchronization
import SyncCore
import Testing
import SyntheticData

/// A wall clock the test sets by hand: what `HybridLogicalClock` reads through its injected closure.
@available(macOS 15.0, *)
final class ManualWallClock: Sendable {
    private let milliseconds: Mutex<Int64>

    init(_ start: Int64) { milliseconds = Mutex(start) }

    func set(_ ms: Int64) { milliseconds.withLock { $0 = ms } }
    func advance(by ms: Int64) { milliseconds.withLock { $0 += ms } }
    var now: Int64 { milliseconds.withLock { $0 } }

    /// A clock reading this wall clock.
    func hlc(last: HLCTimestamp = .zero) -> HybridLogicalClock {
        HybridLogicalClock(last: last, wallClock: { [self] in now })
    }
}

/// The clock tests read a `Mutex`-guarded wall clock (macOS 15+); each test carries the
/// availability, since a suite may not.
@Suite("Hybrid logical clocks")
struct HybridLogicalClockTests {
    static let t = Fixture.noon

    @Test("readings pack milliseconds and a logical counter, ordered as the pair")
    func timestampLayout() {
        let a = HLCTimestamp(milliseconds: Self.t, logical: 7)
        #expect(a.milliseconds == Self.t && a.logical == 7)
        #expect(a.rawValue == UInt64(Self.t) << 16 | 7)
        #expect(HLCTimestamp(milliseconds: Self.t, logical: .max) < HLCTimestamp(milliseconds: Self.t + 1, logical: 0))
        #expect(HLCTimestamp(milliseconds: -5, logical: 1) == HLCTimestamp(milliseconds: 0, logical: 1), "clamped at the epoch")
        #expect(a.description == "\(Self.t).7")
    }

    /// Wall clocks that stall, step back a little, jump back a year, and leap forward.
    static let wallSequences: [[Int64]] = [
        [0, 0, 0, 0],
        [t, t, t, t + 1, t + 1, t],
        [t, t - 1, t - 2, t - 1000, t + 1, t],
        [t, t - Fixture.year, t - Fixture.year + 5, t, t + 2],
        [t, t + Fixture.year, t, t, t + 1],
    ]

    @available(macOS 15.0, *)
    @Test("every reading is later than the one before, whatever the wall clock does", arguments: wallSequences)
    func monotonic(_ walls: [Int64]) {
        let wall = ManualWallClock(walls[0])
        var clock = wall.hlc()
        var previous = HLCTimestamp.zero
        for w in walls {
            wall.set(w)
            let reading = clock.now()
            #expect(reading > previous, "wall \(w): \(reading) after \(previous)")
            if w > previous.milliseconds {
                #expect(reading == HLCTimestamp(milliseconds: w, logical: 0), "a wall clock ahead is taken as it is")
            } else {
                #expect(reading.milliseconds == previous.milliseconds && reading.logical == previous.logical + 1,
                        "a stalled or backward wall clock only ticks the logical counter")
            }
            previous = reading
        }
    }

    @available(macOS 15.0, *)
    @Test("random walks of the wall clock with remote readings mixed in", arguments: [UInt64(1), 2, 3, 4])
    func monotonicUnderRandomWalk(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let wall = ManualWallClock(Self.t)
        var clock = wall.hlc()
        var latest = HLCTimestamp.zero  // the latest reading made or observed
        for _ in 0..<2_000 {
            wall.advance(by: Int64(rng.int(in: -3...3)))
            if rng.chance(0.3) {
                let remote = HLCTimestamp(milliseconds: wall.now + Int64(rng.int(in: -5...5)), logical: UInt16(rng.int(below: 4)))
                clock.observe(remote)
                #expect(clock.last > remote && clock.last > latest)
                latest = max(latest, remote)
            } else {
                let reading = clock.now()
                #expect(reading > latest)
                latest = reading
            }
        }
    }

    @available(macOS 15.0, *)
    @Test("observing a remote reading orders the next local reading after it")
    func observeOrdersAfterRemote() {
        let wall = ManualWallClock(Self.t)
        var clock = wall.hlc()
        _ = clock.now()  // t.0

        // A remote reading ahead of us: we adopt its millisecond and tick past its counter.
        let ahead = HLCTimestamp(milliseconds: Self.t + 5_000, logical: 7)
        clock.observe(ahead)
        #expect(clock.last == HLCTimestamp(milliseconds: Self.t + 5_000, logical: 8))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 5_000, logical: 9))

        // The same millisecond as ours: past the larger counter of the two.
        clock.observe(HLCTimestamp(milliseconds: Self.t + 5_000, logical: 20))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 5_000, logical: 22))

        // A remote reading behind us changes nothing but the tick.
        clock.observe(HLCTimestamp(milliseconds: Self.t - 60_000, logical: 3))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 5_000, logical: 24))

        // Once the wall clock passes everything seen, it leads again.
        wall.set(Self.t + 6_000)
        clock.observe(HLCTimestamp(milliseconds: Self.t + 5_500, logical: 1))
        #expect(clock.last == HLCTimestamp(milliseconds: Self.t + 6_000, logical: 0))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 6_000, logical: 1))
    }

    @available(macOS 15.0, *)
    @Test("an exhausted logical counter rolls into the next millisecond")
    func logicalOverflow() {
        let wall = ManualWallClock(Self.t)
        var clock = wall.hlc(last: HLCTimestamp(milliseconds: Self.t, logical: .max))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 1, logical: 0))
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 1, logical: 1), "the stalled wall clock is now behind")

        var observer = wall.hlc()
        observer.observe(HLCTimestamp(milliseconds: Self.t, logical: .max))
        #expect(observer.last == HLCTimestamp(milliseconds: Self.t + 1, logical: 0))

        // 65,537 writes within one stalled millisecond: t.0 … t.65535, then a roll-over; none repeated.
        var burst = wall.hlc()
        var previous = HLCTimestamp.zero
        var increasing = true
        for _ in 0...(Int(UInt16.max) + 1) {
            let r = burst.now()
            increasing = increasing && r > previous
            previous = r
        }
        #expect(increasing)
        #expect(previous == HLCTimestamp(milliseconds: Self.t + 1, logical: 0))
    }

    @available(macOS 15.0, *)
    @Test("correcting the offset makes a device a year off stamp as the server would",
          arguments: [Fixture.year, -Fixture.year, 0, 37])
    func offsetCorrection(deviceError: Int64) {
        let server = ManualWallClock(Self.t)
        let device = ManualWallClock(Self.t + deviceError)
        var clock = device.hlc()
        clock.correct(serverMilliseconds: server.now)
        #expect(clock.offset == -deviceError)
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t, logical: 0))

        // Both clocks move on together; the device keeps stamping server time.
        server.advance(by: 250)
        device.advance(by: 250)
        #expect(clock.now() == HLCTimestamp(milliseconds: Self.t + 250, logical: 0))
    }

    @available(macOS 15.0, *)
    @Test("a device that stamped before correcting never goes back: it ticks until time catches up")
    func correctionAfterWritingStaysMonotonic() {
        let device = ManualWallClock(Self.t + Fixture.year)
        var clock = device.hlc()
        let before = clock.now()
        clock.correct(serverMilliseconds: Self.t)
        let after = clock.now()
        #expect(after > before)
        #expect(after == HLCTimestamp(milliseconds: Self.t + Fixture.year, logical: 1))
    }
}
