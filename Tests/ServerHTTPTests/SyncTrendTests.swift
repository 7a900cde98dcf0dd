import FieldModel
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ServerOps
import SyntheticData
import Testing

/// The trends of the ops page: each region's exchanges per hour, folded in as the history is
/// written (`SyncHour`), equal to counts taken independently from the exchanges themselves, and
/// drawn so that a township whose phones stopped syncing shows it.
@Suite("Sync trends by region and hour", .serialized)
struct SyncTrendTests {
    static let day: Int64 = 86_400_000
    static let otherVillage = HTTPFixture.villageA.county.township(77).village(1)

    /// A village assistant of each of two townships, their county's officer and a city officer.
    static let assignments: [Assignment] = [
        Assignment(villages: [HTTPFixture.villageA]), Assignment(villages: [otherVillage]),
        Assignment(counties: [HTTPFixture.villageA.county]), Assignment(cities: [HTTPFixture.villageA.city]),
    ]

    @Test("the hours of every region equal the exchanges counted one by one, however they were batched", arguments: Deployment.Backend.all)
    func hoursAreTheSumsOfTheExchanges(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            var random = SeededGenerator(seed: 26)
            let start = HTTPFixture.now - 14 * Self.day
            let records = (0..<600).map { i in
                let assignment = Self.assignments[Int.random(in: 0..<Self.assignments.count, using: &random)]
                return SyncRecord(deviceID: "dev-\(i % 37)", worker: WorkerID(unchecked: "w\(i % 37)"),
                                  atMilliseconds: start + Int64.random(in: 0..<(14 * Self.day), using: &random), durationMilliseconds: 40,
                                  pushed: Int.random(in: 0...30, using: &random), rejected: 0, pulled: Int.random(in: 0...90, using: &random),
                                  bytesIn: 100, bytesOut: 200, result: Bool.random(using: &random) ? "ok" : "http_503", reason: nil, health: nil,
                                  overBudget: false, regions: assignment.trendRegions)
            }
            var rest = records[...]
            while !rest.isEmpty {
                let n = Int.random(in: 1...60, using: &random)
                try await d.store.recordSyncs(Array(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            let regions = Set(records.flatMap(\.regions))
            #expect(regions.count == 4, "two townships, their county, their city: \(regions.sorted())")
            for region in regions.sorted() {
                for since in [start, start + 7 * Self.day + 1_234] {
                    var expected: [Int64: SyncHour] = [:]
                    for r in records where r.regions.contains(region) && r.atMilliseconds >= SyncHour.hour(of: since) {
                        let hour = SyncHour.hour(of: r.atMilliseconds)
                        var h = expected[hour] ?? SyncHour(hourMilliseconds: hour, syncs: 0, failures: 0, pushed: 0, pulled: 0)
                        h.syncs += 1
                        h.failures += r.succeeded ? 0 : 1
                        h.pushed += r.pushed
                        h.pulled += r.pulled
                        expected[hour] = h
                    }
                    let stored = try await d.store.syncTrend(region: region, sinceMilliseconds: since)
                    #expect(stored == expected.keys.sorted().map { expected[$0]! }, "region \(region) since \(since)")
                }
            }
            // Retention takes the hours with the history they came from.
            _ = try await d.store.trimSyncHistory(before: start + 7 * Self.day)
            let left = try await d.store.syncTrend(region: Int64(HTTPFixture.villageA.city.rawValue), sinceMilliseconds: 0)
            #expect(!left.isEmpty && left.allSatisfy { $0.hourMilliseconds >= SyncHour.hour(of: start + 7 * Self.day) })
        }
    }

    @Test("a township whose phones stop syncing on day 3 draws a line that falls to the floor", arguments: Deployment.Backend.all)
    func aTownshipThatFallsSilentShowsIt(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            try await d.store.registerVillages([Self.otherVillage])
            let steady = try await d.enrol(HTTPFixture.assistant(HTTPFixture.villageA), replica: 0x51)
            let falling = try await d.enrol(HTTPFixture.assistant(Self.otherVillage), replica: 0x52)
            let start = d.clock.now
            for day in 0..<14 {
                try await steady.syncOK()
                try await steady.syncOK()
                if day < 3 { try await falling.syncOK() }
                d.clock.advance(by: Self.day)
            }
            let history = d.running.application.server.history
            let township = Int64(Self.otherVillage.township.rawValue)
            let chart = TrendChart(title: "每日同步 Syncs per day", hours: try await history.syncTrend(region: township, sinceMilliseconds: start),
                                   from: start, to: d.clock.now, bucketHours: 24)
            let perDay = chart.buckets.map(\.syncs)
            #expect(perDay.count == 14 || perDay.count == 15, "\(perDay)")
            #expect(perDay.prefix(3).allSatisfy { $0 > 0 } && perDay.dropFirst(3).allSatisfy { $0 == 0 }, "the silent township: \(perDay)")
            let city = TrendChart(title: "每日同步", hours: try await history.syncTrend(region: Int64(HTTPFixture.villageA.city.rawValue),
                                                                                    sinceMilliseconds: start),
                                  from: start, to: d.clock.now, bucketHours: 24)
            let exchanges = try await history.syncHistory(device: steady.deviceID, limit: 1_000).count
                + (try await history.syncHistory(device: falling.deviceID, limit: 1_000).count)
            #expect(exchanges >= 14 * 2 + 3 && city.buckets.reduce(0) { $0 + $1.syncs } == exchanges, "every exchange of both phones counts in the city once")
            #expect(Self.series("succeeded", in: chart.svg) == chart.buckets.map(\.succeeded))

            // The township's page draws its hours: syncs in its first three days, none after.
            let page = try await Self.page(d, "/ops/townships/\(Self.otherVillage.township)")
            let hourly = try #require(Self.series("succeeded", in: page))
            #expect(hourly.count >= 14 * 24 && hourly.reduce(0, +) == 3, "three syncs, one a day: \(hourly.reduce(0, +))")
            #expect(hourly.suffix(10 * 24).allSatisfy { $0 == 0 }, "nothing in the last ten days")
            // One level up, the silent township is a red row and the steady one green.
            let county = try await Self.page(d, "/ops/counties/\(HTTPFixture.villageA.county)")
            #expect(county.contains("id=\"place-\(Self.otherVillage.township)\" data-signal=\"red\""), "the silent township turns red")
            #expect(county.contains("id=\"place-\(HTTPFixture.villageA.township)\" data-signal=\"green\""))
            #expect(county.contains("<svg class=\"trend\""), "the county draws its own trend")
        }
    }

    /// An ops page read with the administrator's token, as a script reads it.
    static func page(_ d: Deployment, _ path: String) async throws -> String {
        let answer = try await d.raw("GET", path, token: d.adminToken)
        try #require(answer.status == 200, "\(path): \(answer.status)")
        return String(decoding: answer.body, as: UTF8.self)
    }

    /// The counts a chart's line of `key` draws, from its `data-values`.
    static func series(_ key: String, in html: String) -> [Int]? {
        guard let start = html.range(of: "<polyline class=\"\(key)\" data-values=\"") else { return nil }
        return html[start.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map { Int($0)! }
    }

    @Test("a township's conflicts per day: opened when two phones write one income, resolved when its reviewer decides", arguments: Deployment.Backend.all)
    func conflictsOpenedAndResolvedPerDay(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            let A = HTTPFixture.villageA
            try await d.seed(A)
            let first = try await d.enrol(HTTPFixture.assistant(A, 1), replica: 0x61)
            let second = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0x62)
            let reviewer = try await d.enrol(HTTPFixture.reviewer, replica: 0x63)
            for device in [first, second, reviewer] { try await device.syncOK() }
            let households = HTTPFixture.households(in: A).filter { !$0.status.isCovered }.prefix(5)
            let start = d.clock.now
            // Day 0: three conflicts; day 2: two more, and the reviewer resolves the first three.
            var opened: [RecordID] = []
            for (day, range) in [(0, 0..<3), (2, 3..<5)] {
                d.clock.advance(by: start + Int64(day) * Self.day - d.clock.now)
                for h in households[households.startIndex...].dropFirst(range.lowerBound).prefix(range.count) {
                    _ = try first.replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(41_000)])
                    _ = try second.replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(43_000)])
                    opened.append(h.id)
                }
                for device in [first, second] { try await device.syncOK() }
                if day == 2 {
                    for id in opened.prefix(3) {
                        let answer = try await d.raw("POST", "/v1/conflicts/resolve", token: reviewer.token, headers: ["Content-Type": "application/json"],
                                                     body: Array(#"{"collection":"household","id":"\#(id)","village":"\#(A)","field":"monthlyIncomeFen","value":42000}"#.utf8))
                        #expect(answer.status == 200, "resolve \(id): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                    }
                }
            }
            d.clock.advance(by: Self.day)
            let page = try await Self.page(d, "/ops/townships/\(A.township)")
            let openedPerDay = try #require(Self.series("opened", in: page)), resolvedPerDay = try #require(Self.series("resolved", in: page))
            #expect(openedPerDay.count >= 30 && openedPerDay.suffix(4) == [3, 0, 2, 0], "\(openedPerDay.suffix(4))")
            #expect(resolvedPerDay.suffix(4) == [0, 0, 3, 0], "\(resolvedPerDay.suffix(4))")
            // The same counts one level up, none in a township elsewhere.
            let county = try await Self.page(d, "/ops/counties/\(A.county)")
            #expect(Self.series("opened", in: county).map { $0.reduce(0, +) } == 5 && Self.series("resolved", in: county).map { $0.reduce(0, +) } == 3)
            let elsewhere = try await d.store.conflictDays(villages: OpsRegion.township(Self.otherVillage.township).villageCodes, sinceMilliseconds: 0)
            #expect(elsewhere.isEmpty)
        }
    }

    @Test("the chart: one bucket per day of the window from midnight in UTC+8, a labelled, escaped SVG that parses")
    func theChartIsWellFormed() throws {
        let midnight = Int64(CalendarDate(year: 2026, month: 12, day: 1)!.daysSinceEpoch) * Self.day - 8 * 3_600_000
        let hours = (0..<(14 * 24)).map { (h: Int) -> SyncHour in
            let start: Int64 = midnight + Int64(h) * SyncHour.millisecondsPerHour
            return SyncHour(hourMilliseconds: start, syncs: h / 24 < 3 ? 10 : 0, failures: h % 24 == 0 ? 1 : 0, pushed: 0, pulled: 0)
        }
        let chart = TrendChart(title: "每日同步 <Syncs> & failures", hours: hours, from: midnight + 5 * 3_600_000,
                               to: midnight + 14 * Self.day, bucketHours: 24)
        #expect(chart.buckets.count == 14 && chart.buckets.first?.startMilliseconds == midnight)
        let syncs: [Int] = chart.buckets.map { $0.syncs }, failures: [Int] = chart.buckets.map { $0.failures }
        #expect(syncs == [240, 240, 240] + Array(repeating: 0, count: 11))
        #expect(failures == Array(repeating: 1, count: 14))
        let svg = chart.svg
        #expect(svg.contains("&lt;Syncs&gt; &amp; failures") && !svg.contains("<Syncs>"))
        #expect(svg.contains(">12-01</text>") && svg.contains(">12-14</text>"), "days labelled in China Standard Time")
        let document = try XMLDocument(xmlString: svg)
        #expect(document.rootElement()?.localName == "svg")
        #expect(try document.nodes(forXPath: "/*/@role").map { $0.stringValue } == ["img"])
        #expect(try document.nodes(forXPath: "//*[local-name()='polyline']").count == 2)
        #expect(svg.contains(">500</text>"), "the axis tops at 1, 2 or 5 × 10^k above the peak of 240")
        #expect(TrendChart(title: "t", hours: [], from: 0, to: 0, bucketHours: 1).buckets.isEmpty)
    }
}
