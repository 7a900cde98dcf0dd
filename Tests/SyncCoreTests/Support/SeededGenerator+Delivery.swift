import SyntheticData

extension SeededGenerator {
    /// Every element once or more (each extra copy with probability `p`), in a random order: a
    /// delivery that duplicates and reorders.
    mutating func shuffledWithDuplicates<T>(_ a: [T], extra p: Double) -> [T] {
        var out: [T] = []
        out.reserveCapacity(a.count * 2)
        for e in a {
            out.append(e)
            while chance(p) { out.append(e) }
        }
        return shuffled(out)
    }
}
