import Foundation
import SyncProtocol
import Testing
import SyntheticData

@Suite struct FramingTests {
    // MARK: Round trips

    @Test(arguments: PayloadKind.allCases, Int32(0)...9)
    func roundTripsEverySizeAtEveryLevel(kind: PayloadKind, level: Int32) throws {
        for (index, size) in Self.sizes.enumerated() {
            let original = kind.bytes(size, seed: UInt64(index) &* 7 &+ UInt64(level))
            let frame = Deflate.compress(original, level: level)
            #expect(try Inflate.decompress(frame, limits: Self.roomy) == original, "\(kind) \(size) bytes")
        }
    }

    @Test func defaultLevelIsSix() {
        let original = PayloadKind.textual.bytes(50_000, seed: 3)
        #expect(Deflate.compress(original) == Deflate.compress(original, level: 6))
    }

    @Test func bodiesThatMerelyStartWithAZlibHeaderAreNotNested() throws {
        // Protobuf field 1 = 29 encodes as 08 1d, a valid zlib header; field 15 = 1 as 78 01.
        for prefix: [UInt8] in [[0x08, 0x1d], [0x78, 0x01], [0x78, 0x9c]] {
            for body in [prefix, prefix + [0x10, 0x01], prefix + PayloadKind.textual.bytes(5_000, seed: 9)] {
                #expect(try Inflate.decompress(Deflate.compress(body)) == body)
            }
        }
    }

    // MARK: Limits are exact

    @Test func compressedCapIsChecked() throws {
        let frame = Deflate.compress(PayloadKind.textual.bytes(10_000, seed: 4))
        let limits = FrameLimits(maxCompressedBytes: frame.count, maxDecompressedBytes: 1 << 20, maxExpansionRatio: 100)
        _ = try Inflate.decompress(frame, limits: limits)
        var tighter = limits
        tighter.maxCompressedBytes -= 1
        let error = refusal(frame, limits: tighter)
        #expect(error == FrameError(.compressedTooLarge, "frame has \(frame.count) bytes, limit \(frame.count - 1)"))
    }

    @Test func decompressedCapStopsAtTheFirstByteOver() throws {
        let original = [UInt8](repeating: 0, count: 100_000)
        let frame = Deflate.compress(original)
        let limits = FrameLimits(maxCompressedBytes: 1 << 20, maxDecompressedBytes: 100_000, maxExpansionRatio: 5_000)
        #expect(try Inflate.decompress(frame, limits: limits) == original)
        var tighter = limits
        tighter.maxDecompressedBytes = 99_999
        let error = refusal(frame, limits: tighter)
        #expect(error?.description == "decompressedTooLarge: inflated 100000 bytes, limit 99999")
    }

    @Test func expansionRatioIsMeasuredAgainstTheWholeFrame() throws {
        let original = [UInt8](repeating: 7, count: 200_000)
        let frame = Deflate.compress(original, level: 9)
        let ratio = (original.count + frame.count - 1) / frame.count  // the smallest that fits
        let fits = FrameLimits(maxCompressedBytes: 1 << 20, maxDecompressedBytes: 1 << 20, maxExpansionRatio: ratio, expansionRatioFloor: 0)
        #expect(try Inflate.decompress(frame, limits: fits) == original)
        var tighter = fits
        tighter.maxExpansionRatio = ratio - 1
        let error = refusal(frame, limits: tighter)
        #expect(error?.code == .expansionRatioExceeded)
        #expect(error?.message.hasPrefix("inflated \((ratio - 1) * frame.count + 1) bytes from a \(frame.count)-byte frame") == true)
    }

    @Test func smallMessagesPassTheRatioUpToTheFloor() throws {
        let floor = FrameLimits.standard.expansionRatioFloor
        let atFloor = [UInt8](repeating: 0, count: floor)
        #expect(try Inflate.decompress(Deflate.compress(atFloor, level: 9)) == atFloor)
        let error = refusal(Deflate.compress(atFloor + [0], level: 9))
        #expect(error?.code == .expansionRatioExceeded)
        #expect(error?.message.hasPrefix("inflated \(floor + 1) bytes") == true)
    }

    @Test func checksumErrorsNameBothChecksums() throws {
        var frame = Deflate.compress(Array("hello".utf8))  // adler32("hello") = 0x062c0215
        frame[frame.count - 1] ^= 0x01
        let error = refusal(frame)
        #expect(error?.message == "adler32 mismatch: stream states 0x062c0214, the 5 inflated bytes give 0x062c0215")
    }

    // MARK: Hostile frames

    @Test(arguments: hostileCatalogue)
    func hostileFrameIsRefusedWithItsCode(_ frame: HostileFrame) {
        let error = refusal(frame.bytes, limits: frame.limits)
        #expect(error?.code == frame.expected, "\(String(describing: error))")
    }

    @Test func catalogueCoversEverySendersFault() {
        #expect(hostileCatalogue.count >= 50)
        #expect(Set(hostileCatalogue.map(\.fileName)).count == hostileCatalogue.count)
        let codes = Set(hostileCatalogue.map(\.expected))
        #expect(codes == Set(FrameError.Code.allCases).subtracting([.zlibFailure]))
    }

    @Test func committedFixturesFailWithTheCodeInTheirName() throws {
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let files = try FileManager.default
            .contentsOfDirectory(at: root.appendingPathComponent("hostile-frames"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "bin" }
        #expect(files.count == hostileCatalogue.filter(\.isFixture).count)
        for file in files {
            let name = file.lastPathComponent
            let code = try #require(FrameError.Code(rawValue: String(name.prefix { $0 != "-" })), "\(name)")
            let bytes = [UInt8](try Data(contentsOf: file))
            let error = refusal(bytes)
            #expect(error?.code == code, "\(name): \(String(describing: error))")
        }
    }

    /// Rewrites Fixtures/hostile-frames from the catalogue: `DOORSTEP_WRITE_FIXTURES=1 swift test
    /// --skip-build --filter FramingTests/writeHostileFixtures`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DOORSTEP_WRITE_FIXTURES"] == "1"))
    func writeHostileFixtures() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile-frames")
        let stale = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in stale where file.pathExtension == "bin" { try FileManager.default.removeItem(at: file) }
        for frame in hostileCatalogue where frame.isFixture {
            try Data(frame.bytes).write(to: directory.appendingPathComponent(frame.fileName))
        }
    }

    static let sizes = [0, 1, 2, 3, 31, 255, 256, 1_000, 4_095, 65_535, 65_536, 65_537, 100_003, 262_144, 400_000]
    static let roomy = FrameLimits(maxCompressedBytes: 1 << 20, maxDecompressedBytes: 1 << 20, maxExpansionRatio: 1_100)
}

// MARK: - Inputs

/// The error `Inflate` refuses `bytes` with, or nil (and a recorded issue naming the size) if it
/// accepts them.
func refusal(_ bytes: [UInt8], limits: FrameLimits = .standard, sourceLocation: SourceLocation = #_sourceLocation) -> FrameError? {
    do {
        let payload = try Inflate.decompress(bytes, limits: limits)
        Issue.record("accepted a \(bytes.count)-byte frame, inflating \(payload.count) bytes", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A frame that `Inflate` must refuse with `expected`; `isFixture` ones are committed as files.
struct HostileFrame: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var expected: FrameError.Code
    var limits = FrameLimits.standard
    var isFixture = false

    var fileName: String { "\(expected.rawValue)-\(name).bin" }
    var testDescription: String { fileName }
}

let hostileCatalogue: [HostileFrame] = {
    typealias H = HostileFrame
    let sample = PayloadKind.textual.bytes(20_000, seed: 1)
    let frame = Deflate.compress(sample)
    let zeros = { (mebibytes: Double) in [UInt8](repeating: 0, count: Int(mebibytes * 1_048_576)) }
    let mib = 1 << 20
    var all: [H] = [H(name: "zero-bytes", bytes: [], expected: .empty, isFixture: true)]

    all.append(H(name: "noise-1MiB-plus-1", bytes: noise(mib + 1, seed: 1), expected: .compressedTooLarge, isFixture: true))
    all.append(H(name: "valid-frame-one-over-custom-cap", bytes: frame, expected: .compressedTooLarge,
                 limits: FrameLimits(maxCompressedBytes: frame.count - 1, maxDecompressedBytes: mib, maxExpansionRatio: 200)))

    for (size, level): (Double, Int32) in [(1, 9), (2, 9), (4, 9), (8, 9), (9, 9), (16, 9), (32, 9), (8, 1), (8, 6)] {
        let sizeName = size.rounded() == size ? "\(Int(size))MiB" : "\(size)MiB"
        all.append(H(name: "zeros-\(sizeName)-level\(level)", bytes: Deflate.compress(zeros(size), level: level),
                     expected: .expansionRatioExceeded, isFixture: [9, 32].contains(size) && level == 9))
    }
    let deadbeef = (0..<8 * mib).map { [0xde, 0xad, 0xbe, 0xef][$0 % 4] as UInt8 }
    all.append(H(name: "deadbeef-8MiB-level9", bytes: Deflate.compress(deadbeef, level: 9), expected: .expansionRatioExceeded))
    all.append(H(name: "zeros-1KiB-ratio10-no-floor", bytes: Deflate.compress(zeros(1.0 / 1_024)), expected: .expansionRatioExceeded,
                 limits: FrameLimits(maxCompressedBytes: mib, maxDecompressedBytes: mib, maxExpansionRatio: 10, expansionRatioFloor: 0)))

    all.append(H(name: "zeros-9MiB-after-noise-60KiB", bytes: Deflate.compress(noise(60 * 1_024, seed: 3) + zeros(9)),
                 expected: .decompressedTooLarge, isFixture: true))
    all.append(H(name: "zeros-16MiB-after-noise-120KiB", bytes: Deflate.compress(noise(120 * 1_024, seed: 4) + zeros(16)),
                 expected: .decompressedTooLarge))
    let oneMiBCap = FrameLimits(maxCompressedBytes: 2 * mib, maxDecompressedBytes: mib, maxExpansionRatio: 2_000)
    for (size, level): (Double, Int32) in [(1.0 + 1.0 / 1_048_576, 9), (4, 9), (1.5, 0), (64, 1)] {
        all.append(H(name: "zeros-\(Int(size * 1_048_576))B-level\(level)-1MiB-cap", bytes: Deflate.compress(zeros(size), level: level),
                     expected: .decompressedTooLarge, limits: oneMiBCap))
    }

    let cuts = [1, 2, 3, 7, 50, 1_000, frame.count / 3, frame.count / 2, frame.count - 100,
                frame.count - 5, frame.count - 4, frame.count - 3, frame.count - 2, frame.count - 1]
    for cut in cuts {
        all.append(H(name: "cut-at-\(cut)-of-\(frame.count)", bytes: Array(frame.prefix(cut)), expected: .truncated,
                     isFixture: [1, frame.count / 2, frame.count - 4].contains(cut)))
    }
    all.append(H(name: "stored-block-cut-at-500", bytes: Array(Deflate.compress(sample, level: 0).prefix(500)), expected: .truncated))

    for offset in 1...4 {
        for mask: UInt8 in [0x01, 0x80] {
            var flipped = frame
            flipped[frame.count - offset] ^= mask
            all.append(H(name: "adler32-byte\(5 - offset)-xor-\(mask)", bytes: flipped, expected: .corrupt,
                         isFixture: offset == 1 && mask == 0x01))
        }
    }
    var emptyFlipped = Deflate.compress([])
    emptyFlipped[emptyFlipped.count - 1] ^= 0x01
    all.append(H(name: "adler32-of-empty-payload", bytes: emptyFlipped, expected: .corrupt))

    let body = frame.dropFirst(2)
    let headers: [(String, [UInt8], Bool)] = [
        ("header-cm7", withHeaderCheck(0x77, 0x80), true), ("header-cm15", withHeaderCheck(0x7f, 0x80), false),
        ("header-cinfo8", withHeaderCheck(0x88, 0x80), true), ("header-cinfo15", withHeaderCheck(0xf8, 0x80), false),
        ("header-fcheck-off-by-one", [0x78, 0x9d], true), ("header-fcheck-zero", [0x78, 0x00], false),
        ("header-fdict", withHeaderCheck(0x78, 0xa0) + [0x00, 0x00, 0x00, 0x01], true),
    ]
    for (name, header, isFixture) in headers {
        all.append(H(name: name, bytes: header + body, expected: .corrupt, isFixture: isFixture))
    }
    all.append(H(name: "gzip-not-zlib", bytes: gzip(sample), expected: .corrupt, isFixture: true))
    all.append(H(name: "raw-deflate-no-header", bytes: Array(frame.dropFirst(2).dropLast(4)), expected: .corrupt))
    all.append(H(name: "invalid-block-type", bytes: [0x78, 0x9c, 0xff, 0xff, 0xff], expected: .corrupt, isFixture: true))
    all.append(H(name: "stored-lengths-mismatch", bytes: [0x78, 0x01, 0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5],
                 expected: .corrupt))
    all.append(H(name: "distance-too-far-back", bytes: [0x78, 0x9c, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00], expected: .corrupt,
                 isFixture: true))
    for fifth in 1...4 {
        var flipped = frame
        flipped[frame.count * fifth / 5] ^= 0x10
        all.append(H(name: "data-byte-\(frame.count * fifth / 5)-xor-16", bytes: flipped, expected: .corrupt))
    }
    for (seed, size) in [2, 5, 64, 512, 4_096, 65_536, 300_000, mib].enumerated() {
        all.append(H(name: "noise-\(size)B", bytes: noise(size, seed: UInt64(100 + seed)), expected: .corrupt,
                     isFixture: size == 512))
    }
    for (seed, size) in [8, 100, 10_000, 500_000].enumerated() {
        all.append(H(name: "header-then-noise-\(size)B", bytes: [0x78, 0x9c] + noise(size, seed: UInt64(200 + seed)),
                     expected: .corrupt))
    }

    all.append(H(name: "one-zero-byte", bytes: frame + [0], expected: .trailingBytes, isFixture: true))
    all.append(H(name: "ascii-garbage", bytes: frame + Array("GARBAGE".utf8), expected: .trailingBytes))
    all.append(H(name: "concatenated-streams", bytes: frame + frame, expected: .trailingBytes, isFixture: true))
    all.append(H(name: "after-empty-payload", bytes: Deflate.compress([]) + [0x78], expected: .trailingBytes))
    all.append(H(name: "noise-1000B", bytes: frame + noise(1_000, seed: 5), expected: .trailingBytes))

    for level: Int32 in [0, 6, 9] {
        all.append(H(name: "deflate-of-deflate-level\(level)", bytes: Deflate.compress(frame, level: level),
                     expected: .nestedCompression, isFixture: level == 6))
    }
    all.append(H(name: "deflate-of-stored-deflate", bytes: Deflate.compress(Deflate.compress(sample, level: 0)),
                 expected: .nestedCompression))
    all.append(H(name: "deflate-of-empty-deflate", bytes: Deflate.compress(Deflate.compress([])), expected: .nestedCompression))
    all.append(H(name: "deflate-of-gzip", bytes: Deflate.compress(gzip(sample)), expected: .nestedCompression, isFixture: true))
    all.append(H(name: "deflate-of-gzip-magic", bytes: Deflate.compress([0x1f, 0x8b] + sample), expected: .nestedCompression))
    all.append(H(name: "bomb-in-deflate", bytes: Deflate.compress(Deflate.compress(zeros(8), level: 9)),
                 expected: .nestedCompression, isFixture: true))
    return all
}()

/// Kinds of payload for round trips, from incompressible to a single repeated byte.
enum PayloadKind: String, CaseIterable, Sendable {
    case random, textual, repetitive, zeros

    func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        switch self {
        case .random:
            return noise(count, seed: seed)
        case .textual:
            let words = ["household", "member", "village", "visit", "benefit", "dibao", "2024-03-01", "approved",
                         "pending", "\"id\":", ",", "{", "}", " ", "\n", "42", "Yuncheng", "income"]
            var text: [UInt8] = []
            while text.count < count { text += words[Int(rng.next() % UInt64(words.count))].utf8 }
            return Array(text.prefix(count))
        case .repetitive:
            let phrase = Array("the quick brown fox visits household 17; ".utf8)
            return (0..<count).map { $0 % 997 == 996 ? UInt8(truncatingIfNeeded: rng.next()) : phrase[$0 % phrase.count] }
        case .zeros:
            return [UInt8](repeating: 0, count: count)
        }
    }
}

/// Deterministic pseudo-random bytes.
func noise(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededGenerator(seed: seed)
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count { buffer[index] = UInt8(truncatingIfNeeded: rng.next() >> 24) }
        initialized = count
    }
}

/// A zlib header with `cmf` and the flag bits of `flags`, its FCHECK bits set to make it pass.
func withHeaderCheck(_ cmf: UInt8, _ flags: UInt8) -> [UInt8] {
    let flg = flags & 0xe0
    return [cmf, flg + UInt8((31 - (UInt16(cmf) << 8 | UInt16(flg)) % 31) % 31)]
}

/// `bytes` as a gzip member (RFC 1952): the deflate blocks of a zlib stream between gzip framing.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let blocks = Deflate.compress(bytes).dropFirst(2).dropLast(4)
    let crc = bytes.reduce(~UInt32(0)) { crc, byte in
        (0..<8).reduce(crc ^ UInt32(byte)) { c, _ in c & 1 == 1 ? (c >> 1) ^ 0xedb8_8320 : c >> 1 }
    }
    let littleEndian = { (v: UInt32) in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    return [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff] + blocks + littleEndian(~crc) + littleEndian(UInt32(bytes.count))
}

