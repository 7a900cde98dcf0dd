import FieldModel
import Foundation
import ServerOps
import Testing

/// A city of 5,000 devices in 600 villages: every page stays under its byte budget, long lists
/// are cut into pages in the order asked, and search finds devices by id, worker and village code.
@Suite("Ops pages at 5,000 devices", .serialized)
struct OpsPageBudgetTests {
    static let budget = 200_000
    static let counties = [CountyCode(uncheckedRawValue: 140821), CountyCode(uncheckedRawValue: 140822)]
    static let villages: [VillageCode] = counties.flatMap { c in (1...5).flatMap { t in (1...60).map { c.township(100 + t).village($0) } } }

    /// Device `i` lives in village `i % 600`, but the first 120 all in the first village (128 phones there).
    static let fleet: OpsFleet = {
        let workers = villages.map { Worker(id: WorkerID(unchecked: "w-\($0)"), name: "w", role: .villageAssistant, assignment: Assignment(villages: [$0])) }
        return OpsFleet(devices: (0..<5_000).map { i in
            let days = Double(i % 11) + 0.25
            return OpsFleet.Device(id: String(format: "dev-%05d", i), name: "phone \(i)", worker: workers[i < 120 ? 0 : i % villages.count],
                                   lastSuccessDays: days, unsynced: i % 4 == 0 ? i % 7 : 0, oldestUnsyncedDays: days + 0.5)
        }, villages: villages)
    }()

    static func placeRows(_ html: String) -> [String] { html.matches(of: /<tr class="place" id="place-(\d+)"/).map { String($0.1) } }

    @Test func everyPageStaysSmallAndListsArePagedSortedAndSearched() async throws {
        try await Deployment.with { d in
            let seedStart = ContinuousClock.now
            try await Self.fleet.seed(d)
            // Fourteen days of hourly health snapshots, each of them the fleet's (backlogs of
            // five digits, every hour present), so the health charts are as long as they get.
            let snapshot = try await d.running.application.server.snapshotHealth(now: d.clock.now)
            try await d.store.recordHealthHours((1..<(14 * 24)).flatMap { h in
                snapshot.map { var old = $0; old.hourMilliseconds -= Int64(h) * 3_600_000; old.unsyncedChanges += h * 37; return old }
            })
            print("ops budget: seeded \(Self.fleet.devices.count) devices in \(Self.villages.count) villages in \(ContinuousClock.now - seedStart)")
            let browser = try await OpsBrowser.login(d)
            let big = Self.villages[0]
            let pages = [
                "/ops", "/ops/counties/140821", "/ops/townships/140821101", "/ops/townships/140821101?page=2", "/ops/villages/\(big)",
                "/ops/villages/\(big)?sort=last&page=3", "/ops/search?q=dev-", "/ops/search?q=1408", "/ops/devices/dev-00000",
            ]
            var seen: [String: OpsBrowser.Page] = [:]
            for path in pages {
                let page = try await browser.get(path)
                seen[path] = page
                print("ops budget: \(path) \(page.status) \(page.bytes) bytes in \(Int(page.milliseconds)) ms")
                #expect(page.status == 200, "\(path)")
                #expect(page.bytes < Self.budget, "\(path) is \(page.bytes) bytes")
            }
            let city = try #require(seen["/ops"])
            #expect(OpsBrowser.figure("devices", city.html) == "5,000", "counts with thousands separators")
            for county in ["140821", "140822"] { expectFigures(try await browser.get("/ops/counties/\(county)"), county) }
            expectFigures(try #require(seen["/ops/villages/\(big)"]), big.description)

            // The township's 60 villages: 50 on the first page, 10 on the second, none on a third.
            let first = Self.placeRows(try #require(seen["/ops/townships/140821101"]).html)
            let second = Self.placeRows(try #require(seen["/ops/townships/140821101?page=2"]).html)
            #expect(first.count == 50 && second.count == 10 && Set(first + second).count == 60)
            #expect(try await browser.get("/ops/townships/140821101?page=3").status == 404)
            let byName = Self.placeRows(try await browser.get("/ops/townships/140821101?sort=name").html)
            #expect(byName == Self.villages.prefix(50).map(\.description))
            let inTownship = Self.villages.filter { $0.township.description == "140821101" }
            let unsynced = { (v: VillageCode) in Self.fleet.devices(in: v.description).map(\.unsynced).reduce(0, +) }
            let byUnsynced = inTownship.sorted { (unsynced($1), $0.description) < (unsynced($0), $1.description) }.map(\.description)
            #expect(Self.placeRows(try await browser.get("/ops/townships/140821101?sort=unsynced").html) == Array(byUnsynced.prefix(50)))

            // The big village's 128 phones, longest without a sync first, three pages.
            let phones = Self.fleet.devices(in: big.description)
            #expect(phones.count == 128)
            let byLast = phones.sorted { ($1.lastSuccessDays!, $0.id) < ($0.lastSuccessDays!, $1.id) }.map(\.id)
            var walked: [String] = []
            for n in 1...3 { walked += OpsBrowser.deviceRows(try await browser.get("/ops/villages/\(big)?sort=last&page=\(n)").html).map(\.id) }
            #expect(walked == byLast)
            // The pager's links walk the same pages.
            let next = try #require(OpsBrowser.links(try await browser.get("/ops/villages/\(big)?sort=last").html, "/ops/villages/\(big)?sort=last&page=2").first)
            #expect(OpsBrowser.deviceRows(try await browser.get(next).html).map(\.id) == Array(byLast[50..<100]))

            // Search: a device id, a worker, a village code.
            #expect(OpsBrowser.deviceRows(try await browser.get("/ops/search?q=dev-04321").html).map(\.id) == ["dev-04321"])
            let byWorker = try await browser.get("/ops/search?q=w-\(big)")
            #expect(byWorker.html.contains("(128)") && OpsBrowser.deviceRows(byWorker.html).count == 50)
            let byCode = try await browser.get("/ops/search?q=\(big)")
            #expect(OpsBrowser.links(byCode.html, "/ops/villages/") .contains("/ops/villages/\(big)"))
            #expect(byCode.html.contains("设备 <small>devices</small> (128)"))
            let all = try #require(seen["/ops/search?q=dev-"])
            #expect(all.html.contains("(5,000)") && OpsBrowser.deviceRows(all.html).count == 50 && all.html.contains("第 1 / 100 页"))
        }
    }

    func expectFigures(_ page: OpsBrowser.Page, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (key, value) in Self.fleet.expected(code) {
            #expect(OpsBrowser.figure(key, page.html) == value, "\(key) of \(code)", sourceLocation: sourceLocation)
        }
    }
}
