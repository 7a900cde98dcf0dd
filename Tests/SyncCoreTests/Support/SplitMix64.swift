/// A seeded, reproducible random number generator (Steele, Lea & Flood, 2014), so every generated
/// history replays from its seed. Its helpers use no standard-library randomness, so a seed means
/// the same history on every toolchain and platform.
///
///     var rng = SplitMix64(seed: 42)
///     let n = rng.below(10)   // the same on every run
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (Lemire's multiply-high; the tiny bias does not matter here).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    mutating func inRange(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<C: Collection>(_ c: C) -> C.Element where C.Index == Int {
        c[c.startIndex + below(c.count)]
    }

    /// Fisher–Yates.
    mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }

    mutating func shuffled<T>(_ a: [T]) -> [T] {
        var a = a
        shuffle(&a)
        return a
    }

    /// Every element once or more (each extra copy with probability `p`), in a random order.
    mutating func shuffledWithDuplicates<T>(_ a: [T], extra p: Double) -> [T] {
        var out: [T] = []
        out.reserveCapacity(a.count * 2)
        for e in a {
            out.append(e)
            while chance(p) { out.append(e) }
        }
        shuffle(&out)
        return out
    }
}
