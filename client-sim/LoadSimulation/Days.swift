import FieldModel
import Foundation
import ServerHTTP
import SyncProtocol
import SyntheticData

/// The scenario's days: each day every device works, then the ones in signal sync through their
/// networks; reviewers settle the conflicts they see; the scenario's own events happen.
struct Days {
    let configuration: LoadRunConfiguration
    let plan: LoadPlan
    let devices: [LoadDevice]
    let admins: [APIClient]
    let progress: @Sendable (String) -> Void

    var scenario: Scenario { configuration.scenario }

    func play(_ tally: inout ConflictTally) async throws {
        // Enrolment: every device pulls its scope once, on a good connection.
        _ = try await bounded(devices, limit: configuration.concurrency) { await $0.sync(cutChance: 0, timeScale: 0, lossless: true).succeeded }
        var random = SeededGenerator(seed: configuration.seed, stream: 0xD)
        try await arrangeOffline(&random)
        for day in 0..<scenario.days {
            if scenario.behaviour == .reassignment, day > 0 { try await reassign(day: day, &random) }
            let dayStart = ContinuousClock.now
            // The drill's backup runs while the day's devices push and pull.
            let backup = configuration.drill.flatMap { drill in drill.backupDay == day ? Task { try await drill.backup() } : nil }
            let synced = try await bounded(devices, limit: configuration.concurrency) { [scenario, configuration] device in
                await device.work(day: day, scenario: scenario)
                if await device.stranded {
                    // The last, partial sync: one change goes up, the server hears how many wait.
                    guard day == 1 else { return false }
                    return await device.sync(cutChance: 0, timeScale: 0, lossless: true, batchLimit: 1, signalFor: 1).succeeded
                }
                guard await device.isOnline(day: day, chance: scenario.offlineDayChance) else { return false }
                let synced = await device.sync(cutChance: scenario.cutChance, timeScale: configuration.timeScale).succeeded
                await device.uploadEvidence(cutChance: scenario.cutChance, timeScale: configuration.timeScale)
                return synced
            }
            try await backup?.value
            let resolved = try await ConflictTally.resolveAll(devices, admins: admins, tally: &tally)
            progress("day \(day + 1)/\(scenario.days): \(synced.filter { $0 }.count)/\(devices.count) devices synced, \(resolved) conflicts resolved, \(String(format: "%.1f", (ContinuousClock.now - dayStart).seconds)) s")
        }
    }

    /// The scenario's long absences: a third of the devices for all but the last day, or every
    /// device until the last day for the reconnect storm.
    func arrangeOffline(_ random: inout SeededGenerator) async throws {
        let allButLast = Set(0..<max(0, scenario.days - 1))
        for device in devices where !device.isReviewer && Double.random(in: 0..<1, using: &random) < scenario.strandedShare {
            await device.strand()
        }
        for (i, device) in devices.enumerated() {
            switch scenario.behaviour {
            case .longOffline where i % 3 == 1: await device.setOffline(allButLast)
            case .reconnectStorm: await device.setOffline(allButLast)
            default: break
            }
        }
    }

    /// Moves a tenth of the assistants to another village of their township.
    func reassign(day: Int, _ random: inout SeededGenerator) async throws {
        var moved = 0
        for device in devices where Double.random(in: 0..<1, using: &random) < 0.1 {
            let worker = await device.currentWorker()
            guard worker.role == .villageAssistant, let current = worker.assignment.villages.first else { continue }
            let others = plan.villages.filter { $0.township == current.township && $0 != current }
            guard let next = others.randomElement(using: &random) else { continue }
            var document = WorkerDocument(worker)
            document.villages = [next.description]
            _ = try await admins[0].updateWorker(document)
            moved += 1
        }
        progress("day \(day + 1): \(moved) assistants reassigned")
    }
}

extension LoadDevice {
    func isOnline(day: Int, chance: Double) -> Bool {
        guard !offlineDays.contains(day) else { return false }
        return !self.chance(chance)
    }

    /// The worker as the device last heard from the server.
    func currentWorker() -> Worker { (try? replica.currentIdentity().worker) ?? worker }
}
