import DataProtection
import FieldModel
import Foundation
@testable import Replica
import SyncCore
import Synchronization
import Testing

/// The same bytes captured from several threads at once — some captures refused after their
/// file was written, some uploads finishing meanwhile — never leave a queued attachment without
/// its file, nor a file no queued attachment names.
@Suite("Captures and uploads of the same bytes racing keep files and queue rows in step")
struct EvidenceRaceTests {
    static let household = Fixture.newHousehold(400)

    @Test("refused captures, committed captures and finished uploads of one file, from eight threads", arguments: 0..<4)
    func sameBytesRacing(round: Int) throws {
        let h = try ReplicaHarness.holding(Self.household, label: "race\(round)")
        defer { h.finish() }
        let replica = h.replica
        let bytes = EvidenceFixture.file(.jpeg, size: 20_000, seed: UInt64(round))
        let committed = Mutex<[RecordID]>([])
        let file = EvidenceFixture.directory(of: h.path) + "/" + ContentHash.sha256(bytes)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 0..<25 {
                let id = Fixture.freshID(UInt64(1_000 + thread * 100 + n))
                let evidence = Evidence(id: id, kind: .homePhoto, takenOn: Fixture.today, content: .bytes(bytes))
                // Odd threads name a household the device does not hold: refused inside the
                // transaction, after the file was stored (often by them: the file comes and goes).
                let refused = thread % 2 == 1
                do {
                    try replica.attachEvidence(to: .household(refused ? Fixture.freshID(499) : Self.household.id), [evidence])
                    committed.withLock { $0.append(id) }
                    // While its row is queued, its file is there (whoever else stores or removes it).
                    #expect(FileManager.default.fileExists(atPath: file), "attachment \(id) is queued without its file")
                } catch {
                    #expect(refused && (error as? ReplicaError)?.code == .notFound, "\(error)")
                }
                // Even threads' uploads mostly finish at once, so the queue keeps emptying.
                if !refused, n % 5 != 0 {
                    do { try replica.markEvidenceUploaded(id) } catch { Issue.record("\(error)") }
                    committed.withLock { $0.removeAll { $0 == id } }
                }
            }
        }
        let queued = try replica.pendingEvidence()
        #expect(Set(queued.map(\.id)) == Set(committed.withLock { $0 }))
        if queued.isEmpty {
            #expect(EvidenceFixture.names(beside: h.path).isEmpty)
        } else {
            #expect(EvidenceFixture.names(beside: h.path) == [ContentHash.sha256(bytes)])
            #expect(FileManager.default.contents(atPath: file).map { ContentHash.sha256($0) } == ContentHash.sha256(bytes))
        }
    }

    @Test("a file removed after the capture stored it and before its transaction (another capture's cleanup) is stored again in the transaction")
    func fileRemovedBeforeCommit() throws {
        let h = try ReplicaHarness.holding(Self.household)
        defer { h.finish() }
        let evidence = EvidenceFixture.photo(410)
        let file = EvidenceFixture.directory(of: h.path) + "/" + ContentHash.sha256(EvidenceFixture.bytes(of: evidence))
        // The hook runs inside the write, after its checks: where a concurrent failed capture's
        // cleanup could have removed the file the capture stored before its transaction.
        h.replica.hooks.onAfterChecks { try? FileManager.default.removeItem(atPath: file) }
        try h.replica.attachEvidence(to: .household(Self.household.id), [evidence])
        h.replica.hooks.onAfterChecks(nil)
        #expect(FileManager.default.contents(atPath: file).map { ContentHash.sha256($0) } == ContentHash.sha256(EvidenceFixture.bytes(of: evidence)))
    }
}
