import ArgumentParser
import Foundation
import ServerHTTP
import ServerOps

/// Sync health in a terminal: the summary, the alerts, and every device that is not green.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sync health at a glance: devices not syncing, unsynced changes, conflicts waiting, alerts.",
        discussion: "The same data as the ops page (/ops) and GET /v1/ops/overview; --json prints that document.")

    @OptionGroup var connection: Connection
    @Flag(help: "Print the overview as JSON.") var json = false

    func run() async throws {
        let overview: OpsOverview
        do { overview = try await connection.client().opsOverview() } catch let failure as APIClient.Failure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw ExitCode(1)
        }
        if json { return try printJSON(overview) }
        let s = overview.summary
        print("devices: \(s.enrolled) enrolled, \(s.active) active, \(s.stale) stale; \(s.unsyncedChanges) unsynced changes; \(s.conflictsWaiting) conflicts waiting; \(s.overBudget) over budget")
        print("alerts: \(overview.alerts.count)")
        for a in overview.alerts { print("  [\(a.kind.rawValue)] \(a.detail)") }
        let attention = overview.devices.filter { $0.syncSignal != .green || $0.unsynced > 0 || $0.overBudget }
        if !attention.isEmpty { print("devices needing attention:") }
        for d in attention {
            let last = d.lastSuccessMilliseconds.map { "\((overview.generatedAtMilliseconds - $0) / 3_600_000) h ago" } ?? "never"
            print("  \(d.syncSignal.rawValue.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) \(d.id) \(d.worker): last sync \(last), \(d.unsynced) unsynced\(d.lastFailure.map { ", last failure \($0)" } ?? "")")
        }
    }
}
