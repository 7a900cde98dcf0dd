import FieldModel
import Foundation
import LoadSimulation
import ServerHTTP
import ServerOps
import Testing

@Suite("Ops sees exactly the devices that stopped syncing", .serialized)
struct OpsTests {
    static let day: Int64 = 86_400_000

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

            // The pages: following the drill-down from the city, every device is a row, each stranded
            // one red and every other green; the search for `dev-` lists them all on one page.
            let browser = try await OpsBrowser.login(d)
            let city = try await browser.get("/ops")
            #expect(city.status == 200 && city.bytes > 0)
            var rows: [String: String] = [:]
            var pending = ["/ops"], visited: Set<String> = []
            while let path = pending.popLast() {
                guard visited.insert(path).inserted else { continue }
                let page = try await browser.get(path)
                #expect(page.status == 200, "\(path)")
                for row in OpsBrowser.deviceRows(page.html) { rows[row.id] = row.signal }
                pending += ["/ops/counties/", "/ops/townships/", "/ops/villages/"].flatMap { OpsBrowser.links(page.html, $0) }
                #expect(page.html.range(of: #"\d{17}[\dX]"#, options: .regularExpression) == nil, "no ID-card number on \(path)")
                #expect(!page.html.contains("<script") && !page.html.contains("http://") && !page.html.contains("https://"), "no script and no external asset")
            }
            for id in stranded { #expect(rows[id] == "red", "\(id) red on its village's page") }
            for row in enrolled where !stranded.contains(row.id) { #expect(rows[row.id] == "green", "\(row.id) green on its village's page") }
            let listing = try await browser.get("/ops/search?q=dev-")
            let listed = Dictionary(OpsBrowser.deviceRows(listing.html).map { ($0.id, $0.signal) }, uniquingKeysWith: { a, _ in a })
            for id in stranded { #expect(listed[id] == "red", "\(id) red in the search") }

            // Kept for scripts/check-ops.sh: promtool and headless Chromium read these.
            try OpsArtefacts.save(["ops.html": city.html, "devices.html": listing.html, "stranded.txt": stranded.sorted().joined(separator: "\n") + "\n"])
            try Data(metrics.body).write(to: OpsArtefacts.directory.appendingPathComponent("metrics.txt"))
        }
    }

    @Test func thePageNeedsAnAdministratorAndKeepsASessionUntilLogout() async throws {
        try await Deployment.with { d in
            let device = try await d.enrol(HTTPFixture.assistant(HTTPFixture.villageA), replica: 0x61)
            #expect(try await d.raw("GET", "/ops", token: nil).status == 401)
            #expect(try await d.raw("GET", "/ops", token: device.token).status == 401)
            #expect(try await d.raw("GET", "/v1/ops/overview", token: device.token).status == 403)
            let bad = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                      body: Array("token=\(device.token)".utf8))
            #expect(bad.status == 401 && bad.headers["set-cookie"] == nil)
            let login = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                        body: Array("token=\(d.adminToken)".utf8))
            #expect(login.status == 303 && login.headers["location"] == "/ops")
            let setCookie = try #require(login.headers["set-cookie"])
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            // A random session id, never the administrator's token; HttpOnly, same-site, on /ops only.
            #expect(cookie.hasPrefix("doorstep_session=dst_") && !cookie.contains(d.adminToken))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ops", "Max-Age=28800"] { #expect(setCookie.contains(attribute), "\(setCookie)") }
            #expect(!setCookie.contains("Secure"), "plain http: no Secure attribute (TransportSecurityTests checks HTTPS)")
            let page = try await d.raw("GET", "/ops", token: nil, headers: ["Cookie": cookie])
            #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
            let village = try await d.raw("GET", "/ops/villages/\(HTTPFixture.villageA)", token: nil, headers: ["Cookie": cookie])
            #expect(village.status == 200 && String(decoding: village.body, as: UTF8.self).contains(device.deviceID), "the device is a row of its village")
            // Every HTML page carries the security headers, the login page and the error pages too.
            for answer in [page, village, bad, try await d.raw("GET", "/ops/devices/\(device.deviceID)", token: nil, headers: ["Cookie": cookie]),
                           try await d.raw("GET", "/ops/villages/1", token: nil, headers: ["Cookie": cookie])] {
                #expect(answer.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
                #expect(answer.headers["x-content-type-options"] == "nosniff" && answer.headers["referrer-policy"] == "no-referrer")
            }
            #expect(String(decoding: page.body, as: UTF8.self).contains("action=\"/ops/logout\""), "the page offers a logout")

            let logout = try await d.raw("POST", "/ops/logout", token: nil, headers: ["Cookie": cookie])
            #expect(logout.status == 303 && logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
            #expect(try await d.raw("GET", "/ops", token: nil, headers: ["Cookie": cookie]).status == 401, "logout ends the session")
            let events = try await d.store.securityEvents(limit: 20).map(\.detail)
            #expect(events.contains { $0.contains("opened an ops session") } && events.contains { $0.contains("ended an ops session") })
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
