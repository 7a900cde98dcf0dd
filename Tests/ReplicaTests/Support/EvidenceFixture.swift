import DataProtection
import FieldModel
import Foundation
import Replica
import SyncCore
import SyntheticData

/// Files as a camera or scanner makes them, for the evidence tests: the right first bytes, then
/// seeded noise.
enum EvidenceFixture {
    static let gifSignature = Array("GIF89a".utf8)

    /// `size` bytes starting with `type`'s signature (or `prefix`), the rest seeded by `seed`.
    static func file(_ type: AttachmentContentType?, size: Int, seed: UInt64, prefix: [UInt8]? = nil) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var bytes = prefix ?? type?.signature ?? []
        while bytes.count < size { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
        return Array(bytes.prefix(size))
    }

    static func photo(_ n: UInt64, size: Int = 3_000, kind: AttachmentKind = .homePhoto, member: RecordID? = nil) -> Evidence {
        Evidence(id: Fixture.freshID(n), kind: kind, takenOn: Fixture.today, memberID: member,
                 content: .bytes(file(.jpeg, size: size, seed: n)))
    }

    static func bytes(of evidence: Evidence) -> [UInt8] {
        guard case .bytes(let bytes) = evidence.content else { return [] }
        return bytes
    }

    /// The evidence directory beside a replica file, and what it holds (hidden names too).
    static func directory(of replicaPath: String) -> String { replicaPath + ".evidence" }

    static func names(beside replicaPath: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(of: replicaPath))) ?? []).sorted()
    }
}

extension ReplicaHarness {
    /// A device holding `household` as the server sent it.
    static func holding(_ household: Household, label: String = #function) throws -> ReplicaHarness {
        let h = try ReplicaHarness(label: label)
        var server = OtherReplica()
        try h.replica.receivePage([server.created(household)])
        return h
    }
}
