import FieldModel
import SyncCore
@testable import SyncProtocol
import SyntheticData
import Testing

/// A page's sibling and tombstone lists are checked for a repeated dot without building a set for
/// the short lists nearly every record has; the check must say what a set would say.
@Suite struct RepeatedDotTests {
    @Test("a list repeats a dot exactly when its set of dots is smaller than the list")
    func agreesWithASet() throws {
        var rng = SeededGenerator(seed: 7)
        let author = try WorkerID(validating: "li.hua")
        var repeated = 0
        for _ in 0..<4_000 {
            let count = Int.random(in: 0...20, using: &rng)
            // Few replicas and counters, so that repeats are common at every length.
            let list = (0..<count).map { _ in
                Sibling(dot: Dot(ReplicaID(UInt64.random(in: 1...3, using: &rng)), UInt64.random(in: 1...(UInt64(count) * 4 + 1), using: &rng)),
                        hlc: HLCTimestamp(rawValue: 1), author: author, value: .null)
            }
            let expected = Set(list.map(\.dot)).count != list.count
            if expected { repeated += 1 }
            #expect(FieldColumnReader.repeatsDot(list) == expected, "\(list.map(\.dot))")
        }
        #expect(repeated > 500 && repeated < 3_500, "the sweep held \(repeated) lists with a repeat")
    }
}
