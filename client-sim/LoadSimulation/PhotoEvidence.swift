import FieldModel
import Foundation
import Replica
import SyntheticData

/// The photos a review visit carries, as a phone app sends them after reducing the camera's
/// output: a JPEG of 150–400 KB. The bytes are the JPEG signature and seeded noise (noise does
/// not compress, so the upload carries every byte), made when the visit is recorded and let go
/// once the replica holds them: a fleet's photos are never in memory together.
enum PhotoEvidence {
    static let maxPerVisit = 10
    static let sizes = 150 * 1024...400 * 1024

    /// `count` photos for a visit, their sizes and bytes drawn from `generator`.
    static func photos(_ count: Int, takenOn day: CalendarDate, milliseconds: Int64, using generator: inout SeededGenerator) -> [Evidence] {
        (0..<count).map { _ in
            let id = RecordID(milliseconds: milliseconds, using: &generator)
            let size = Int.random(in: sizes, using: &generator)
            return Evidence(id: id, kind: .homePhoto, takenOn: day, content: .bytes(jpeg(size, seed: generator.next())))
        }
    }

    /// `size` bytes: the JPEG signature (how the replica recognises the type), then noise.
    static func jpeg(_ size: Int, seed: UInt64) -> [UInt8] {
        let signature: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        var noise = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: max(size, signature.count))
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                var word = noise.next()
                let n = min(8, buffer.count - offset)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: n) }
                offset += n
            }
        }
        bytes.replaceSubrange(0..<signature.count, with: signature)
        return bytes
    }
}
