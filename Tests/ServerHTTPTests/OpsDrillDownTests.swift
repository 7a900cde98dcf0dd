import FieldModel
import Foundation
import ServerOps
import Testing

/// The ops pages as an officer uses them: from the city down to one device by the links on
/// each page, every level's summary equal to what the fleet says, long lists paged, sorted and
/// searched, every page small at 5,000 devices, hostile names escaped, bad addresses answered.
@Suite("Ops drill-down: city, county, township, village, device", .serialized)
struct OpsDrillDownTests {
    static let A1 = try! VillageCode(validating: "140821101001"), A2 = try! VillageCode(validating: "140821101002")
    static let A3 = try! VillageCode(validating: "140821102001"), B1 = try! VillageCode(validating: "140822201001")
    static let hostile = #"<script>alert("x")</script>&'"#

    static func worker(_ id: String, _ role: Role, _ a: Assignment) -> Worker { Worker(id: WorkerID(unchecked: id), name: id, role: role, assignment: a) }

    /// Two counties, three townships, four villages; assistants, a township reviewer and a
    /// county confirmer; fresh, amber, stale and never-synced phones, some holding changes.
    static var smallFleet: OpsFleet {
        let a1 = worker("w-a1", .villageAssistant, Assignment(villages: [A1])), a2 = worker("w-a2", .villageAssistant, Assignment(villages: [A2]))
        let a3 = worker("w-a3", .villageAssistant, Assignment(villages: [A3])), b1 = worker("w-b1", .villageAssistant, Assignment(villages: [B1]))
        let reviewer = worker("w-rev", .townshipReviewer, Assignment(townships: [A1.township]))
        let confirmer = worker("w-conf", .countyConfirmer, Assignment(counties: [B1.county]))
        return OpsFleet(devices: [
            .init(id: "dev-a1-fresh", name: "phone 1", worker: a1, lastSuccessDays: 0.5),
            .init(id: "dev-a1-amber", name: hostile, worker: a1, lastSuccessDays: 4, unsynced: 5, oldestUnsyncedDays: 4.5),
            .init(id: "dev-a1-stale", name: "phone 3", worker: a1, lastSuccessDays: 10, unsynced: 2, oldestUnsyncedDays: 10.5),
            .init(id: "dev-a2-never", name: "phone 4", worker: a2, lastSuccessDays: nil),
            .init(id: "dev-a3-fresh", name: "phone 5", worker: a3, lastSuccessDays: 1),
            .init(id: "dev-a3-stale", name: "phone 6", worker: a3, lastSuccessDays: 8, unsynced: 1, oldestUnsyncedDays: 8.5),
            .init(id: "dev-b1-fresh", name: "phone 7", worker: b1, lastSuccessDays: 2),
            .init(id: "dev-rev", name: "reviewer's phone", worker: reviewer, lastSuccessDays: 0.2),
            .init(id: "dev-conf", name: "confirmer's phone", worker: confirmer, lastSuccessDays: 20),
        ], villages: [A1, A2, A3, B1])
    }

    func expectFigures(_ page: OpsBrowser.Page, _ fleet: OpsFleet, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (key, value) in fleet.expected(code) {
            #expect(OpsBrowser.figure(key, page.html) == value, "\(key) of \(code.isEmpty ? "the city" : code)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Deployment.Backend.all)
    func fromTheCityToOneDeviceByItsLinks(_ backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            let fleet = Self.smallFleet
            try await fleet.seed(d, historyEveryHours: 6)
            // A health snapshot a day over the 14 days before now, from the statuses as they stand
            // (each phone synced every 6 hours up to its last sync), so the pages draw the shares falling.
            for day in (1...14).reversed() { try await d.running.application.server.snapshotHealth(now: d.clock.now - Int64(day) * 86_400_000) }
            let browser = try await OpsBrowser.login(d)

            let city = try await browser.get("/ops")
            #expect(city.status == 200 && city.html.contains("lang=\"zh-CN\"") && city.html.contains("action=\"/ops/logout\""))
            expectFigures(city, fleet, "")
            #expect(OpsBrowser.deviceRows(city.html).isEmpty, "the city lists counties, not devices")
            let counties = OpsBrowser.links(city.html, "/ops/counties/")
            #expect(counties == ["/ops/counties/140821", "/ops/counties/140822"])
            #expect(city.html.contains("临猗县") && city.html.contains("万荣县"), "the pilot city's counties by name")

            let county = try await browser.get(counties[0])
            #expect(county.status == 200)
            expectFigures(county, fleet, "140821")
            #expect(OpsBrowser.links(county.html, "/ops").contains("/ops"), "the breadcrumb leads back to the city")
            let townships = OpsBrowser.links(county.html, "/ops/townships/")
            // The county's share synced within 7 days over its 14 daily snapshots ends at 4 of its 7 phones (57%), a day ago.
            let within7 = HealthTrendTests.drawn("within7", in: county.html)
            #expect(within7?.count == 14 && within7?.last == 57, "\(within7 ?? [])")
            #expect(townships == ["/ops/townships/140821101", "/ops/townships/140821102"])

            let township = try await browser.get(townships[0])
            expectFigures(township, fleet, "140821101")
            #expect(OpsBrowser.links(township.html, "/ops/counties/") == ["/ops/counties/140821"], "the breadcrumb leads to the county")
            // The reviewer's phone is the township's own, below its villages.
            #expect(OpsBrowser.deviceRows(township.html).map(\.id) == ["dev-rev"])
            let villages = OpsBrowser.links(township.html, "/ops/villages/")
            #expect(Set(villages) == ["/ops/villages/140821101001", "/ops/villages/140821101002"])

            let village = try await browser.get("/ops/villages/140821101001")
            expectFigures(village, fleet, "140821101001")
            let rows = OpsBrowser.deviceRows(village.html)
            #expect(rows.map(\.id) == ["dev-a1-stale", "dev-a1-amber", "dev-a1-fresh"], "worst first")
            #expect(rows.map(\.signal) == ["red", "amber", "green"])
            // A hostile device name is text, never markup.
            #expect(!village.html.contains("<script") && village.html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))

            let deviceLink = try #require(OpsBrowser.links(village.html, "/ops/devices/").first)
            let device = try await browser.get(deviceLink)
            #expect(device.status == 200 && device.html.contains("dev-a1-stale"))
            for up in ["/ops", "/ops/counties/140821", "/ops/townships/140821101", "/ops/villages/140821101001"] {
                #expect(device.html.contains("href=\"\(up)\""), "the device's breadcrumb leads to \(up)")
            }
            #expect(device.html.contains("10 天 days"), "the device's oldest unsynced change, 10.5 days old, in whole days")
            // Its last success 10 days before 2026-11-30 04:00 UTC, in China Standard Time.
            #expect(device.html.contains("2026-11-20 12:00"))

            // The other county and a village whose only phone never synced.
            expectFigures(try await browser.get("/ops/counties/140822"), fleet, "140822")
            let silent = try await browser.get("/ops/villages/140821101002")
            expectFigures(silent, fleet, "140821101002")
            #expect(OpsBrowser.deviceRows(silent.html).map(\.signal) == ["red"] && silent.html.contains("从未 never"))

            for page in [city, county, township, village, device] {
                #expect(!page.html.contains("<script") && !page.html.contains("http://") && !page.html.contains("https://"))
                #expect(page.html.contains("action=\"/ops/logout\""), "every page offers a logout")
                #expect(page.html.range(of: #"<th>"#) == nil, "every header cell names its scope")
            }
            if backend == .sqlite {
                try OpsArtefacts.save(["city.html": city.html, "county.html": county.html, "device.html": device.html])
            }
        }
    }

    /// The accessibility basics a tool would check: every form field has its label, every header
    /// cell its scope, and every text colour of the style reaches 4.5:1 on every background of it
    /// (WCAG 2 contrast), the login page too.
    @Test func formsAreLabelledAndColoursContrast() async throws {
        try await Deployment.with { d in
            try await Self.smallFleet.seed(d)
            let browser = try await OpsBrowser.login(d)
            var pages = [try await d.raw("GET", "/ops", token: nil)].map { String(decoding: $0.body, as: UTF8.self) }
            for path in ["/ops", "/ops/counties/140821", "/ops/villages/140821101001", "/ops/devices/dev-a1-stale", "/ops/search?q=dev", "/ops/villages/1"] {
                pages.append(try await browser.get(path).html)
            }
            for html in pages {
                for input in html.matches(of: /<input id="([^"]+)"/) { #expect(html.contains("<label for=\"\(input.1)\""), "input \(input.1) has a label") }
                #expect(!html.contains("<th>") && !html.contains("<input name"), "header cells with scope, inputs with ids")
                let style = try #require(html.firstMatch(of: /<style>([\s\S]*)<\/style>/)).1
                let texts = style.matches(of: /[^-]color:(#[0-9a-f]{3,6})/).map { String($0.1) }
                let backgrounds = ["#fff"] + style.matches(of: /background:(#[0-9a-f]{3,6})/).map { String($0.1) }
                #expect(texts.count >= 4 && backgrounds.count >= 5)
                for text in texts {
                    for background in backgrounds {
                        #expect(Self.contrast(text, background) >= 4.5, "\(text) on \(background): \(Self.contrast(text, background))")
                    }
                }
            }
        }
    }

    /// WCAG 2 contrast ratio of two `#rgb` or `#rrggbb` colours.
    static func contrast(_ a: String, _ b: String) -> Double {
        func luminance(_ hex: String) -> Double {
            var digits = Array(hex.dropFirst())
            if digits.count == 3 { digits = digits.flatMap { [$0, $0] } }
            let channels = stride(from: 0, to: 6, by: 2).map { Double(Int(String(digits[$0...$0 + 1]), radix: 16)!) / 255 }
                .map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
            return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        }
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test func badAddressesAreAnsweredNotCrashed() async throws {
        try await Deployment.with { d in
            try await Self.smallFleet.seed(d)
            let browser = try await OpsBrowser.login(d)
            let cases: [(String, Int)] = [
                ("/ops/counties/12", 400), ("/ops/counties/abcdef", 400), ("/ops/counties/990101", 400), ("/ops/counties/140899", 404),
                ("/ops/townships/140821000", 400), ("/ops/townships/140821999", 404), ("/ops/villages/1408211010011", 400),
                ("/ops/villages/140821101000", 400), ("/ops/villages/140821101999", 404), ("/ops/devices/dev-nobody", 404),
                ("/ops?sort=bogus", 400), ("/ops?page=0", 400), ("/ops?page=-3", 400), ("/ops?page=x", 400), ("/ops?page=2", 404),
                ("/ops/villages/140821101001?sort=%3Cscript%3E", 400), ("/ops/search?q=" + String(repeating: "x", count: 65), 400),
            ]
            for (path, status) in cases {
                let page = try await browser.get(path)
                #expect(page.status == status, "\(path)")
                #expect(page.html.contains("action=\"/ops/logout\"") && page.html.contains("href=\"/ops\""), "\(path): a page with a way back")
                #expect(!page.html.contains("<script"), "\(path): the bad value is escaped")
            }
            // Without a session: the login page, whatever the address.
            #expect(try await d.raw("GET", "/ops/counties/140821", token: nil).status == 401)
            #expect(try await d.raw("GET", "/ops/villages/abc", token: nil).status == 401)
        }
    }
}

/// Where the pages are saved for scripts/check-ops.sh (Chromium renders them).
enum OpsArtefacts {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build-tools/ops-check")

    static func save(_ files: [String: String]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    }
}
