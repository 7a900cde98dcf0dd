import FieldModel
import Foundation
import LoadSimulation
import ServerHTTP
import ServerOps
import Testing

@Suite("Ops sees exactly the devices that stopped syncing", .serialized)
struct OpsTests {
    static let day: Int64 = 86_400_000
    /// Where the page and the metrics are saved for the promtool and Chromium checks.
    static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build-tools/ops-check")

    /// A client-sim review season in which some phones go out of signal for good on the second
    /// day, holding unsynced work; the server's clock runs three days per scenario day.
    @Test func strandedPhonesAreRedAlertedAndCountedEverywhere() async throws {
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        try await Deployment.with(clockStart: start) { d in
            var scenario = try Scenario.named("review-season")
            scenario.days = 4
            scenario.householdsPerVillage = 8
            scenario.offlineDayChance = 0
            scenario.cutChance = 0
            scenario.strandedShare = 0.4
            let dir = d.directory + "/client-sim"
            let configuration = LoadRunConfiguration(devices: 10, scenario: scenario, servers: [d.running.url], adminToken: d.adminToken,
                                                      directory: dir, seed: 9, concurrency: 8, timeScale: 0)
            let clock = d.clock
            let report = try await LoadRun(configuration) { line in if line.hasPrefix("day ") { clock.advance(by: 3 * Self.day) } }.run()
            #expect(report.verification.passed, "\(report.verification.failures)")
            let stranded = Set(report.verification.strandedDevices)
            try #require(!stranded.isEmpty && stranded.count < report.devices, "\(stranded.count) of \(report.devices) stranded")
            #expect(report.verification.strandedChanges > 0)

            // The JSON: exactly the stranded devices are red, hold unsynced changes and are alerted.
            let overview = try await d.admin.opsOverview()
            let enrolled = overview.devices.filter { !$0.worker.hasPrefix("verify-") }
            #expect(enrolled.count == report.devices)
            #expect(Set(enrolled.filter { $0.syncSignal == .red }.map(\.id)) == stranded)
            #expect(Set(enrolled.filter { $0.syncSignal == .green }.map(\.id)) == Set(enrolled.map(\.id)).subtracting(stranded))
            #expect(Set(enrolled.filter { $0.unsynced > 0 }.map(\.id)) == stranded)
            let unsyncedAlerts = overview.alerts.filter { $0.kind == .unsyncedChanges }
            #expect(Set(unsyncedAlerts.map(\.subject)) == stranded)
            // The server knows what the phones reported on their last exchange; they kept working offline since.
            #expect(overview.summary.stale == stranded.count)
            #expect(overview.summary.unsyncedChanges > 0 && overview.summary.unsyncedChanges <= report.verification.strandedChanges)
            for row in overview.villages where row.devices > 0 {
                #expect(row.synced3Days <= row.synced7Days && row.synced7Days <= row.synced30Days)
            }
            // A device's history: its partial sync on day 2 is the last entry.
            let someone = try #require(stranded.first)
            let history = try await d.admin.deviceHistory(someone)
            #expect(history.first?.pushed == 1 && history.first?.result == "ok")

            // The metrics say the same.
            let metrics = try await d.raw("GET", "/metrics", token: nil)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(metrics.status == 200 && metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(text.contains("doorstep_devices{state=\"stale\"} \(Double(stranded.count))"), "\(text.prefix(2_000))")
            #expect(text.contains("doorstep_alerts{kind=\"unsynced_changes\"} \(Double(stranded.count))"))
            #expect(text.contains("doorstep_sync_requests_total{result=\"ok\"}"))
            // The metrics system is bootstrapped as in production: Hummingbird's request metrics are there too.
            #expect(text.contains("hb_requests"), "the process's swift-metrics registry is rendered")

            // The page: every stranded row red, every other green, no ID number anywhere.
            let page = try await d.raw("GET", "/ops", token: d.adminToken)
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
            for id in stranded { #expect(html.contains("id=\"device-\(id)\" data-signal=\"red\""), "\(id) red on the page") }
            for row in enrolled where !stranded.contains(row.id) { #expect(html.contains("id=\"device-\(row.id)\" data-signal=\"green\"")) }
            #expect(html.range(of: #"\d{17}[\dX]"#, options: .regularExpression) == nil, "no ID-card number on the page")
            #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "no script and no external asset")

            // Kept for scripts/check-ops.sh: promtool and headless Chromium read these.
            try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
            try Data(metrics.body).write(to: Self.artefacts.appendingPathComponent("metrics.txt"))
            try Data(page.body).write(to: Self.artefacts.appendingPathComponent("ops.html"))
            try (stranded.sorted().joined(separator: "\n") + "\n").write(to: Self.artefacts.appendingPathComponent("stranded.txt"), atomically: true, encoding: .utf8)
        }
    }

    @Test func thePageNeedsAnAdministratorAndRemembersOneByCookie() async throws {
        try await Deployment.with { d in
            let device = try await d.enrol(HTTPFixture.assistant(HTTPFixture.villageA), replica: 0x61)
            #expect(try await d.raw("GET", "/ops", token: nil).status == 401)
            #expect(try await d.raw("GET", "/ops", token: device.token).status == 401)
            #expect(try await d.raw("GET", "/v1/ops/overview", token: device.token).status == 403)
            let bad = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                      body: Array("token=\(device.token)".utf8))
            #expect(bad.status == 401)
            let login = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                        body: Array("token=\(d.adminToken)".utf8))
            #expect(login.status == 303 && login.headers["location"] == "/ops")
            let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            #expect(login.headers["set-cookie"]?.contains("HttpOnly") == true)
            let page = try await d.raw("GET", "/ops", token: nil, headers: ["Cookie": cookie])
            #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains(device.deviceID))
        }
    }

    /// The thresholds, swept: a device's colour follows the days since its last success and
    /// the seconds of its last exchange; a village's coverage counts its devices.
    @Test func coloursFollowTheThresholds() {
        let now: Int64 = 1_800_000_000_000
        let village = try! VillageCode(validating: "140821100201")
        var devices: [OpsOverview.EnrolledDevice] = []
        var statuses: [DeviceStatus] = []
        let cases: [(Double?, Double, Signal, Signal)] = [
            (0.5, 5, .green, .green), (2.9, 19.9, .green, .green), (3, 20, .amber, .amber), (6.9, 59, .amber, .amber),
            (7, 60, .red, .red), (40, 1, .red, .green), (nil, 0, .red, .green),
        ]
        for (i, c) in cases.enumerated() {
            let worker = Worker(id: WorkerID(unchecked: "w\(i)"), name: "w", role: .villageAssistant, assignment: Assignment(villages: [village]))
            devices.append(.init(id: "dev-\(i)", name: "p", worker: worker))
            if let days = c.0 {
                let at = now - Int64(days * Double(Self.day))
                statuses.append(DeviceStatus(deviceID: "dev-\(i)", worker: worker.id, lastSyncMilliseconds: at, lastSuccessMilliseconds: at,
                                             lastFailureMilliseconds: nil, lastFailure: nil, lastDurationMilliseconds: Int64(c.1 * 1000), health: nil, overBudget: false))
            }
        }
        let o = OpsOverview(now: now, thresholds: OpsThresholds(), devices: devices, statuses: statuses, villages: [village], conflicts: [])
        for (i, c) in cases.enumerated() {
            let row = o.devices.first { $0.id == "dev-\(i)" }!
            #expect(row.syncSignal == c.2 && row.durationSignal == c.3, "case \(i): \(c)")
        }
        let coverage = o.villages[0]
        #expect(coverage.devices == cases.count)
        #expect(coverage.synced3Days == 2.0 / 7 && coverage.synced7Days == 4.0 / 7 && coverage.synced30Days == 5.0 / 7)
        #expect(o.summary.active == 2 && o.summary.stale == 3)
        #expect(o.alerts.isEmpty, "nobody holds unsynced changes and the village synced half a day ago")
    }
}
