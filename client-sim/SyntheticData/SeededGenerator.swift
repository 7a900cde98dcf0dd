/// A seeded xoshiro256** random number generator: the only source of randomness in synthetic data.
///
/// The same seed yields the same sequence on every platform and every run, so a dataset is fully
/// described by its spec. The state is expanded from the seed with SplitMix64, as the xoshiro
/// authors recommend, so nearby seeds (1, 2, 3…) still give unrelated streams.
///
///     var g = SeededGenerator(seed: 42)
///     let n = g.int(in: 1...6)
///
/// - Complexity: O(1) per number.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        // xoshiro's state must not be all zero; SplitMix64 never yields four zeros, but be explicit.
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// A generator in a given state (for checking against the reference implementation).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// A generator for one sub-stream, e.g. one village: independent of how much of the parent
    /// stream anything else consumed, so each village's records depend only on the seed and its code.
    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        self.init(seed: sm.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniform integer in `0..<upperBound`, unbiased (Lemire's multiply-and-reject).
    ///
    /// Written out rather than using `Int.random(in:using:)` so the sequence cannot change with
    /// the standard library's implementation: datasets must stay byte-identical across toolchains.
    public mutating func int(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upper bound must be positive")
        let bound = UInt64(upperBound)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniform double in `0..<1` with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// `elements` in a uniformly random order (Fisher–Yates), the same for a seed on every toolchain.
    public mutating func shuffled<T>(_ elements: [T]) -> [T] {
        var a = elements
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(below: i + 1)) }
        return a
    }

    /// A uniform element of a non-empty collection.
    public mutating func pick<C: RandomAccessCollection>(_ c: C) -> C.Element {
        precondition(!c.isEmpty, "pick from an empty collection")
        return c[c.index(c.startIndex, offsetBy: int(below: c.count))]
    }
}

/// SplitMix64: expands one 64-bit seed into well-mixed words.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// A table of cumulative weights for drawing one of several outcomes by weight.
///
/// Built once per distribution (e.g. the status mix) and drawn from in O(log n).
public struct WeightedTable<Element: Sendable>: Sendable {
    public let elements: [Element]
    private let cumulative: [Double]

    public init(_ pairs: [(Element, Double)]) {
        precondition(!pairs.isEmpty && pairs.allSatisfy { $0.1 >= 0 }, "weights must be non-negative, at least one")
        elements = pairs.map(\.0)
        var sum = 0.0
        cumulative = pairs.map { sum += $0.1; return sum }
        precondition(sum > 0, "weights sum to zero")
    }

    public func draw(_ g: inout SeededGenerator) -> Element {
        let x = g.unit() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return elements[lo]
    }
}
