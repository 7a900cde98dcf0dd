import Foundation
import Synchronization

/// What one phase of a virtual fleet did, measured by the generator.
public struct FleetPhase: Sendable, Codable {
    public var name: String
    /// Exchanges per second the phase was asked for (open loop), nil for closed loops.
    public var targetRate: Double?
    public var exchanges: Int
    public var errors: Int
    /// The first few errors, as the devices described them.
    public var errorSamples: [String]
    public var changesPushed: Int
    public var changesAcknowledged: Int
    public var recordsPulled: Int
    public var seconds: Double
    /// Round trip of an exchange (open loop: from when it was due), milliseconds.
    public var latencyMilliseconds: LoadReport.Percentiles
    /// CPU seconds this process used during the phase.
    public var generatorCPUSeconds: Double

    /// Exchanges per second that completed.
    public var achievedRate: Double { seconds > 0 ? Double(exchanges) / seconds : 0 }

    /// One line; a step with errors also says what the first ones were (a failing step's count
    /// alone cannot tell a server at its limit from a refusal).
    public var summary: String {
        let target = targetRate.map { String(format: "target %.0f/s, ", $0) } ?? ""
        let line = String(format: "%@: %@%d exchanges in %.1f s (%.1f/s), %d errors, latency p50 %.0f ms, p99 %.0f ms, max %.0f ms; generator CPU %.1f s",
                          name, target, exchanges, seconds, achievedRate, errors, latencyMilliseconds.p50, latencyMilliseconds.p99,
                          latencyMilliseconds.max, generatorCPUSeconds)
        guard !errorSamples.isEmpty else { return line }
        return line + "; first errors: " + errorSamples.prefix(3).map { String($0.prefix(200)) }.joined(separator: " | ")
    }
}

/// A capacity search: open-loop steps at rising rates, and the highest one held.
public struct FleetCapacity: Sendable, Codable {
    public var budgetMilliseconds: Double
    public var steps: [FleetPhase]

    /// The highest target rate whose step had p99 within the budget, no error, and kept its rate.
    public var heldRate: Double {
        steps.filter { $0.latencyMilliseconds.p99 < budgetMilliseconds && $0.errors == 0 && $0.achievedRate >= 0.95 * ($0.targetRate ?? 0) }
            .compactMap(\.targetRate).max() ?? 0
    }

    /// The step at the held rate.
    public var held: FleetPhase? { steps.first { $0.targetRate == heldRate } }
}

/// Collects the exchanges of a phase from many tasks: latencies in an HDR histogram, counts,
/// and the first errors.
final class ExchangeRecorder: Sendable {
    private struct State {
        var latencies = LatencyHistogram()
        var exchanges = 0
        var errors = 0
        var samples: [String] = []
        var pushed = 0
        var acked = 0
        var pulled = 0
    }

    private let state = Mutex(State())

    /// Runs one exchange of `device` and records it, timed from its start.
    func callAsFunction(_ device: VirtualDevice, _ body: () async -> VirtualDevice.Outcome) async -> VirtualDevice.Outcome {
        await exchange(device, due: .now, body)
    }

    /// Runs one exchange and records it, timed from `due`.
    func exchange(_ device: VirtualDevice, due: ContinuousClock.Instant, _ body: () async -> VirtualDevice.Outcome) async -> VirtualDevice.Outcome {
        let outcome = await body()
        finish(outcome, due: due)
        return outcome
    }

    func finish(_ outcome: VirtualDevice.Outcome, due: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - due
        state.withLock { s in
            s.latencies.record(elapsed)
            s.exchanges += 1
            s.pushed += outcome.pushed
            s.acked += outcome.acked
            s.pulled += outcome.pulled
            s.errors += outcome.errors.count
            s.samples += outcome.errors.prefix(max(0, 5 - s.samples.count))
        }
    }

    /// An exchange that could not start: an error, with its latency so far.
    func failure(due: ContinuousClock.Instant, _ message: String) {
        var outcome = VirtualDevice.Outcome()
        outcome.errors = [message]
        finish(outcome, due: due)
    }

    func phase(name: String, target: Double?, seconds: Double, generatorCPUSeconds: Double) -> FleetPhase {
        state.withLock { s in
            FleetPhase(name: name, targetRate: target, exchanges: s.exchanges, errors: s.errors, errorSamples: s.samples, changesPushed: s.pushed,
                       changesAcknowledged: s.acked, recordsPulled: s.pulled, seconds: seconds, latencyMilliseconds: s.latencies.percentiles,
                       generatorCPUSeconds: generatorCPUSeconds)
        }
    }
}
