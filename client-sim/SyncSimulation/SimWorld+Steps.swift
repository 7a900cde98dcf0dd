import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncCore

extension SimWorld {
    /// The server process dies and starts again on its file (and, over HTTP, on a new socket).
    func restartServer() async throws {
        try await server.restart()
        try await endpoint.serverRestarted()
        stats.serverRestarts += 1
    }

    /// Faults injected so far (`SimulationStats.faults`, the network's counted in).
    var faultsSoFar: Int {
        var now = stats
        (now.exchanges, now.lostRequests, now.lostResponses, now.duplicates) = network.stats
        return now.faults
    }

    /// One step: time passes, held requests arrive, the server runs its retention (purges,
    /// compacts, trims) and may restart, and each
    /// device edits, syncs, crashes, loses its connection or is reassigned.
    func step() async throws {
        clock.advance(by: Int64(random.int(60...10_800)) * 1_000)
        await network.deliverReplays()
        _ = try await server.retention().run(now: clock.milliseconds)
        if random.chance(config.serverRestart) { try await restartServer() }
        for i in devices.indices {
            let roll = random.unit()
            if roll < 0.5 {
                for _ in 0..<random.int(1...3) { edit(i) }
            } else if roll < 0.85 {
                _ = await sync(i)
            }
            if random.chance(config.deviceCrash) {
                try devices[i].crashAndRestart(clock: clock)
                stats.crashes += 1
            }
            if random.chance(config.partition) {
                network.partition(devices[i].deviceID, for: Int64(random.int(1...72)) * 3_600_000)
                stats.partitions += 1
            }
            if random.chance(config.reassignment) { try await reassign(i) }
        }
    }

    /// Moves a village assistant to the other village: the server's scope for its token changes.
    func reassign(_ i: Int) async throws {
        guard let context = registry.context(devices[i].deviceID), context.worker.role == .villageAssistant,
              let current = context.worker.assignment.villages.first, let next = villages.first(where: { $0 != current }) else { return }
        var moved = context
        moved.worker.assignment = Assignment(villages: [next])
        try await register(moved)
        stats.reassignments += 1
    }
}
