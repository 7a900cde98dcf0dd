import FieldModel
import Foundation
import SyncCore
import SyncSimulation
import Testing

/// The deterministic fault simulation over many seeds: each seed is a server and 2–5 devices
/// (20 in one run) through lossy, duplicating, replaying networks, partitions, crashes, server
/// restarts, reassignments and clocks a year off, then healed; every guarantee is checked.
/// `doorstep-soak` runs any number of larger seeds.
@Suite struct SimulationSeedTests {
    static let parent = SimWorld.scratchDirectory() + "-tests"
    static let seeds: [UInt64] = Array(1...500)

    @Test(arguments: seeds)
    func guaranteesHold(seed: UInt64) async throws {
        let config = SimulationConfig.draw(seed: seed, devices: 2...5, steps: 6...14)
        let result = try await SimWorld.runSeed(seed, config: config, parent: Self.parent)
        #expect(result.passed, "\(result)")
        #expect(result.stats.syncs > 0 && result.stats.edits > 0 && result.stats.faults > 0,
                "seed \(seed) must exercise syncs, edits and faults: \(result.stats)")
    }

    @Test func twentyDevicesConverge() async throws {
        var config = SimulationConfig.draw(seed: 9_001, devices: 20...20, steps: 12...12)
        config.requestLoss = 0.2
        config.responseLoss = 0.2
        config.duplication = 0.3
        let result = try await SimWorld.runSeed(9_001, config: config, parent: Self.parent)
        #expect(result.passed, "\(result)")
        #expect(result.stats.edits > 50)
    }

    /// With a county confirmer among six devices the workers walk the workflow under the
    /// policy: new applications, steps, public notices, mistaken entries deleted by their
    /// authors; and every guarantee still holds.
    @Test func theWorkersWalkTheWorkflowUnderThePolicy() async throws {
        // Seeds in order until each kind of work has happened in one of them (a seed is a draw,
        // not a script); every seed played must pass.
        var entered = false, published = false, deleted = false, refused = false
        for seed: UInt64 in 6...11 where !(entered && published && deleted && refused) {
            let config = SimulationConfig.draw(seed: seed, devices: 6...6, steps: 40...40)
            let result = try await SimWorld.runSeed(seed, config: config, parent: Self.parent + "-workflow")
            #expect(result.passed, "seed \(seed): \(result)")
            let records = result.serverRecords
            entered = entered || records.contains { $0.key.collection == .household && $0.created?.dot.replica != SimWorld.serverReplica }
            published = published || records.contains { $0.key.collection == .publicNotice }
            deleted = deleted || records.contains { $0.isDeleted }
            refused = refused || result.stats.refusedEdits > 0
        }
        #expect(entered, "no application was entered")
        #expect(published, "no notice was published")
        #expect(deleted, "no mistaken entry was deleted")
        #expect(refused, "the devices refused nothing")
    }

    @Test func aSeedReplaysIdentically() async throws {
        let config = SimulationConfig.draw(seed: 77, devices: 4...4, steps: 20...20)
        let first = try await SimWorld.runSeed(77, config: config, parent: Self.parent + "-a")
        let second = try await SimWorld.runSeed(77, config: config, parent: Self.parent + "-b")
        #expect(first.stats == second.stats)
        #expect(first.violations == second.violations)
        #expect(first.stats.syncs > 0 && first.stats.edits > 0)
    }

    /// The same simulation with every exchange over real HTTP on loopback (bearer tokens,
    /// deflated bodies, the API's limits and statuses, server restarts as real restarts).
    @Test(arguments: Array(UInt64(1)...12))
    func guaranteesHoldOverHTTP(seed: UInt64) async throws {
        let config = SimulationConfig.draw(seed: seed, devices: 2...5, steps: 6...14)
        let result = try await SimWorld.runSeed(seed, config: config, parent: Self.parent + "-http", transport: .http)
        #expect(result.passed, "\(result)")
        #expect(result.stats.syncs > 0 && result.stats.edits > 0 && result.stats.faults > 0, "\(result.stats)")
    }

    /// HTTP adds transport and changes no outcome: a seed plays out exactly as in process.
    @Test func httpPlaysASeedAsInProcess() async throws {
        let config = SimulationConfig.draw(seed: 31, devices: 4...4, steps: 14...14)
        let direct = try await SimWorld.runSeed(31, config: config, parent: Self.parent + "-direct")
        let http = try await SimWorld.runSeed(31, config: config, parent: Self.parent + "-viahttp", transport: .http)
        #expect(direct.stats == http.stats)
        #expect(direct.violations == http.violations)
        #expect(http.passed, "\(http)")
    }
}
