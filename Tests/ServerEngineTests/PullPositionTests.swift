import ServerEngine
import Testing

/// `PullPosition`: which positions must re-bootstrap after purges, swept over small values.
@Suite("Pull positions")
struct PullPositionTests {
    @Test("before any purge a position is its sequence, and nothing is stale")
    func beforePurges() {
        for s: UInt64 in [0, 1, 7, 1 << 40] {
            #expect(PullPosition(rawValue: s).sequence == s && PullPosition(rawValue: s).generation == 0)
            #expect(!PullPosition(rawValue: s).isStale(after: .none))
        }
    }

    @Test("stale exactly when issued before the latest purge and below its sequence, or from a future generation")
    func staleness() {
        for g in UInt64(0)...3 {
            for s in UInt64(0)...6 {
                let position = PullPosition(generation: g, sequence: s)
                #expect(PullPosition(rawValue: position.rawValue) == position)
                for markGeneration in UInt64(0)...3 {
                    let mark = PurgeMark(generation: markGeneration, sequence: 4)
                    let expected = position.rawValue != 0 && (g > markGeneration || (g < markGeneration && s < 4))
                    #expect(position.isStale(after: mark) == expected, "g\(g) s\(s) after \(mark)")
                }
            }
        }
    }
}
