import Foundation
import SyncCore

/// A seed played twice: with devices a year ahead, a year behind and correct (by index), and
/// with every clock correct. The outcomes must be identical: the same records on the server,
/// every field value, concurrent value, version and tombstone alike, and the same run (the
/// same syncs, edits, refusals and rejections). HLC readings are compared too: each device
/// corrects its clock by the server's before it writes, so they come out equal.
public struct SkewComparison: Sendable, CustomStringConvertible {
    public let skewed: SimulationResult
    public let correct: SimulationResult

    /// What differs, empty when the outcomes are identical.
    public var differences: [String] {
        var out: [String] = []
        if skewed.stats != correct.stats { out.append("run: skewed \(skewed.stats); correct \(correct.stats)") }
        if skewed.violations != correct.violations { out.append("violations: skewed \(skewed.violations); correct \(correct.violations)") }
        if skewed.serverRecords.count != correct.serverRecords.count {
            out.append("the server holds \(skewed.serverRecords.count) records after the skewed run, \(correct.serverRecords.count) after the correct one")
        }
        for (a, b) in zip(skewed.serverRecords, correct.serverRecords) where !a.isObservablyEqual(to: b) {
            out.append("record \(a.key) differs: skewed \(a); correct \(b)")
            break
        }
        return out
    }

    public var identical: Bool { differences.isEmpty && skewed.passed }

    public var description: String {
        "seed \(skewed.seed): " + (identical ? "identical with clocks a year off" : (differences + skewed.violations.map(\.description)).joined(separator: "\n  "))
    }

    /// Plays `seed` skewed by `config.maxSkewDays` (365 if zero) and with every clock correct,
    /// in `directory` (removed afterwards unless the outcomes differ).
    public static func run(_ seed: UInt64, config: SimulationConfig, directory: String) async throws -> SkewComparison {
        var skewed = config
        if skewed.maxSkewDays == 0 { skewed.maxSkewDays = 365 }
        var correct = config
        correct.maxSkewDays = 0
        let comparison = SkewComparison(skewed: try await SimWorld.runSeed(seed, config: skewed, parent: directory + "/skewed"),
                                        correct: try await SimWorld.runSeed(seed, config: correct, parent: directory + "/correct"))
        if comparison.identical { try? FileManager.default.removeItem(atPath: directory) }
        return comparison
    }
}
