import FieldModel
import Foundation
import Replica
import SyntheticData

/// The photos a review visit carries, as a phone app sends them after reducing the camera's
/// output: a JPEG of 150–400 KB (`SyntheticPhoto`), made when the visit is recorded and let go
/// once the replica holds them: a fleet's photos are never in memory together.
enum PhotoEvidence {
    static let maxPerVisit = 10
    static let sizes = 150 * 1024...400 * 1024

    /// `count` photos for a visit, their sizes and bytes drawn from `generator`.
    static func photos(_ count: Int, takenOn day: CalendarDate, milliseconds: Int64, using generator: inout SeededGenerator) -> [Evidence] {
        (0..<count).map { _ in
            let id = RecordID(milliseconds: milliseconds, using: &generator)
            let size = Int.random(in: sizes, using: &generator)
            return Evidence(id: id, kind: .homePhoto, takenOn: day, content: .bytes(SyntheticPhoto.jpeg(size, seed: generator.next())))
        }
    }
}
