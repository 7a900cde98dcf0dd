import CZlib
import SyncProtocol
import Testing

/// Deflate's streams are reset and reused: a reused stream must write exactly what a fresh one
/// does, whatever it deflated before, at whatever level, from however many tasks at once.
@Suite struct DeflateStreamTests {
    @Test func reusedStreamsWriteWhatAFreshStreamWritesFromManyTasksAtOnce() async throws {
        // More tasks than streams are kept, sizes from empty to past the window, every level:
        // each frame follows another of a different size, kind or level on the same stream.
        let mismatches = await withTaskGroup(of: [String].self) { group in
            for task in 0..<24 {
                group.addTask {
                    var found: [String] = []
                    for n in 0..<40 {
                        let seed = UInt64(task * 1_000 + n)
                        let kind = PayloadKind.allCases[(task + n) % PayloadKind.allCases.count]
                        let size = [0, 1, 300, 2_000, 40_000, 70_000][(task * 7 + n) % 6]
                        let level = Int32((task + n * 3) % 11) - 1
                        let body = kind.bytes(size, seed: seed)
                        let frame = Deflate.compress(body, level: level)
                        if frame != Self.freshStream(body, level: level) { found.append("\(kind) \(size) B at level \(level), seed \(seed)") }
                    }
                    return found
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(mismatches.isEmpty, "frames that differ from a fresh stream's: \(mismatches.prefix(5))")
    }

    /// zlib's own one-shot `compress2`: a stream set up for this body alone, at `level`.
    static func freshStream(_ body: [UInt8], level: Int32) -> [UInt8] {
        var length = compressBound(uLong(body.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { o in
            body.withUnsafeBufferPointer { i in compress2(o.baseAddress, &length, i.baseAddress, uLong(body.count), level) }
        }
        precondition(status == Z_OK, "compress2 returned \(status)")
        return Array(out.prefix(Int(length)))
    }
}
