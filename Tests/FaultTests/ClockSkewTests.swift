import FieldModel
import Foundation
import SyncCore
import SyncSimulation
import Testing

/// Devices a year ahead and a year behind edit the same households as devices with correct
/// clocks; the outcome is identical to the same run with every clock correct. Hybrid logical
/// clocks only break ties, and each device measures its clock against the server's (at
/// enrolment and at every sync), so a wrong clock changes nothing anyone sees.
@Suite("Clock skew: a year ahead, a year behind", .serialized)
struct ClockSkewTests {
    /// Real processes under libfaketime, played twice: see `SkewScript` for what is compared.
    /// In the skewed run, device a's clock also jumps a further year ahead for one write.
    @Test func devicesAYearAheadAndBehindEndAsWithCorrectClocks() async throws {
        let dir = try scratchDirectory("skew")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let skewed = try await SkewScript(clocks: ["a": "+365d", "b": "-365d", "r": nil], jump: ("a", "+730d"), directory: dir + "/skewed").play()
        let correct = try await SkewScript(clocks: ["a": nil, "b": nil, "r": nil], directory: dir + "/correct").play()
        #expect(skewed.offsetDays == ["a": -365, "b": 365, "r": 0], "libfaketime moved the devices' clocks: \(skewed.offsetDays)")
        #expect(correct.offsetDays == ["a": 0, "b": 0, "r": 0])
        #expect(skewed == correct, "skewed:\n\(skewed)\ncorrect:\n\(correct)")
        #expect(correct.rejections.values.allSatisfy(\.isEmpty) && correct.unsynced.values.allSatisfy { $0 == 0 }, "\(correct)")
        let conflicted = correct.households.values.filter { $0["monthlyIncomeFen"]?.hasPrefix("conflict of") == true }
        #expect(conflicted.count == 1, "the two assistants' concurrent incomes wait for the reviewer: \(correct)")
    }

    /// The in-process simulation, whose devices run a year ahead, a year behind and correct (by
    /// index), against the same seed with every clock correct (`SkewComparison` says what is
    /// compared). `doorstep-soak --compare-clocks` runs any number of seeds.
    @Test(arguments: Array(UInt64(1)...24))
    func aSimulatedRunWithClocksAYearOffEndsAsWithCorrectClocks(seed: UInt64) async throws {
        let config = SimulationConfig.draw(seed: seed, devices: 3...6, steps: 8...16)
        let comparison = try await SkewComparison.run(seed, config: config, directory: SimWorld.scratchDirectory() + "-skew/seed-\(seed)")
        #expect(comparison.identical, "\(comparison)")
        #expect(comparison.skewed.stats.edits > 0)
    }
}
