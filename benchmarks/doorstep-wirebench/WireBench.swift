import ArgumentParser
import FieldModel
import Foundation
import SyncCore
import SyncProtocol

@main
struct WireBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-wirebench",
        abstract: "Measures Doorstep's wire size and codec speed beside deflated JSON of the same rows, in one run.")

    @Option(help: "Seed of the synthetic township (5,000 households) the workloads are drawn from.")
    var seed: UInt64 = 2026

    @Option(help: "Times each encode and decode is repeated for the throughput figures.")
    var repeats: Int = 5

    @Option(help: "Write the figures as JSON to this file as well.")
    var json: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let workloads = WireWorkloads(seed: seed)
        let review = workloads.reviewEdits(households: 1_000, seed: seed)
        let daily = workloads.reviewEdits(households: 50, seed: seed + 1)
        let dailyVisits = workloads.newVisits(50, startCounter: UInt64(daily.count + 1), seed: seed + 2)
        let results = [
            WireMeasure.push("1,000 households × 3 fields", review, fieldChanges: review.count, repeats: repeats),
            WireMeasure.push("daily sync: 50 households × 3 fields + 50 visits", daily + dailyVisits, fieldChanges: daily.count + dailyVisits.count, repeats: repeats),
            WireMeasure.bootstrap("bootstrap of 5,000 households", Array(workloads.states.prefix(5_000)), repeats: repeats),
        ]
        print(WireMeasure.table(results))
        if let json {
            let data = try JSONSerialization.data(withJSONObject: results.map(\.dictionary), options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }
}
