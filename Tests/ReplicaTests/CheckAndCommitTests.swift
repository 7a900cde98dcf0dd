import FieldModel
import Foundation
@testable import Replica
import SyncCore
import SyncProtocol
import Synchronization
import Testing

/// A local write's checks and its commit are one transaction: a pull cannot land between what
/// the checks read and what the write commits. The filing that would refuse an eligibility
/// visit arrives in a pull at the worst moment — after the visit's checks, before its commit.
@Suite("Device checks and the write they guard are one transaction")
struct CheckAndCommitTests {
    /// The household, held by the assistant's device.
    static let household = Fixture.newHousehold(90)

    /// A device holding the household, and the page that files it as the assistant's relative.
    static func stage(_ label: String) throws -> (ReplicaHarness, [RecordState]) {
        let h = try ReplicaHarness(label: label)
        var server = OtherReplica()
        let created = server.created(household)
        try h.replica.receivePage([created])
        let filing = RelativeFiling(id: Fixture.freshID(91), village: Fixture.villageA, staff: Fixture.assistant.id,
                                    household: household.id, relation: .spouse, filedOn: Fixture.today)
        return (h, [created, server.created(filing)])
    }

    /// What happened, in the order it happened.
    final class Events: Sendable {
        private let log = Mutex<[String]>([])
        func add(_ e: String) { log.withLock { $0.append(e) } }
        var all: [String] { log.withLock { $0 } }
    }

    @Test("a pull driven between the checks and the commit waits for the commit; the write it would refuse is then refused")
    func pullBetweenCheckAndCommit() throws {
        let (h, page) = try Self.stage(#function)
        defer { h.finish() }
        let replica = h.replica
        let events = Events()
        let pulled = DispatchSemaphore(value: 0)
        h.replica.hooks.onAfterChecks {
            events.add("checked")
            // The pull arrives now, from another thread (as a sync would).
            Thread.detachNewThread {
                do { try replica.receivePage(page, cursor: 11) } catch { events.add("pull failed: \(error)") }
                events.add("pulled")
                pulled.signal()
            }
            // Give it every chance to land before the commit: it cannot, the transaction holds.
            if pulled.wait(timeout: .now() + .milliseconds(300)) == .success { events.add("pulled before the commit") }
        }
        let visit = try h.replica.recordVisit(Fixture.newVisit(92, of: Self.household, kind: .applicationInvestigation))
        events.add("committed")
        h.replica.hooks.onAfterChecks(nil)
        #expect(pulled.wait(timeout: .now() + .seconds(10)) == .success)
        #expect(events.all == ["checked", "committed", "pulled"], "the pull landed inside the write: \(events.all)")

        // The visit was checked and committed before the device knew of the filing: it stays in
        // the outbox for the server to decide (it refuses it: recusal), nothing lost.
        #expect(try h.replica.outboxChanges().map(\.dot) == [visit.dot])
        // The same write now, with the filing pulled, is refused on the device and writes nothing.
        let before = try ReplicaSnapshot.of(h.replica)
        let error = refusal { () throws(ReplicaError) in try h.replica.recordVisit(Fixture.newVisit(93, of: Self.household, kind: .applicationInvestigation)) }
        #expect(error?.rule?.code == .recusal, "\(String(describing: error))")
        #expect(try ReplicaSnapshot.of(h.replica) == before)
    }

    @Test("racing writes and pulls: no write commits that the state at its commit refuses", arguments: 0..<8)
    func racing(round: Int) throws {
        let (h, page) = try Self.stage("racing\(round)")
        defer { h.finish() }
        let replica = h.replica
        let filed = Mutex(false)
        let start = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            start.wait()
            Thread.sleep(forTimeInterval: Double(round) * 0.0007)
            try? replica.receivePage(page, cursor: 11)
            filed.withLock { $0 = true }
            done.signal()
        }
        // Each visit is decided in the same transaction as its commit, so a visit that commits
        // after the pull saw the filing and was refused; the hook records what each commit saw.
        let seenAtCommit = Mutex<[Bool]>([])
        h.replica.hooks.onAfterChecks { seenAtCommit.withLock { $0.append(filed.withLock { $0 }) } }
        start.signal()
        var committed = 0, refused = 0
        for n in 0..<40 {
            do {
                try replica.recordVisit(Fixture.newVisit(100 + UInt64(n), of: Self.household, kind: .applicationInvestigation))
                committed += 1
            } catch {
                #expect(error.rule?.code == .recusal, "\(error)")
                refused += 1
            }
        }
        done.wait()
        h.replica.hooks.onAfterChecks(nil)
        // The pull's transaction commits before `filed` is set: a commit that saw `filed` true
        // would have read the filing. None did: every committed visit was decided before the pull.
        #expect(!seenAtCommit.withLock { $0 }.contains(true))
        #expect(committed + refused == 40)
        #expect(try h.replica.outboxChanges().count == committed)
    }
}
