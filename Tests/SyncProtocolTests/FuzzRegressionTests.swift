import Foundation
import Testing

/// Replays what the fuzzer (`scripts/fuzz.sh`) found, and its seeds, through the laws the fuzz
/// target checks (`DecoderFuzzing`): no crash, only `ProtocolError`s, round trips exact.
@Suite struct FuzzRegressionTests {
    static func files(_ directory: String) throws -> [URL] {
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension != "md" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func everyCommittedCrasherIsNowHandled() throws {
        for file in try Self.files("fuzz-crashers") {
            let violation = DecoderFuzzing.violation([UInt8](try Data(contentsOf: file)))
            #expect(violation == nil, "\(file.lastPathComponent): \(violation ?? "")")
        }
    }

    @Test func theSeedCorpusKeepsTheLaws() throws {
        let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../protocol/vectors").standardized
        let seeds = try Self.files("hostile-frames") + Self.files("hostile-messages")
            + FileManager.default.contentsOfDirectory(at: vectors, includingPropertiesForKeys: nil).filter { $0.pathExtension != "txt" }
        #expect(seeds.count > 200)
        for file in seeds {
            let violation = DecoderFuzzing.violation([UInt8](try Data(contentsOf: file)))
            #expect(violation == nil, "\(file.lastPathComponent): \(violation ?? "")")
        }
    }
}
