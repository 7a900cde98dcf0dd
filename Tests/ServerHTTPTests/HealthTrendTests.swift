import FieldModel
import Foundation
import ServerEngine
import ServerHTTP
import ServerOps
import SyntheticData
import Testing

/// The device-health trends of the ops pages (`HealthHour`): each region's snapshot equal to
/// figures computed from the fleet alone, whatever the fleet, and drawn so that a township whose
/// phones stop syncing shows a falling share, a rising backlog and a red row.
@Suite("Device health by region and hour", .serialized)
struct HealthTrendTests {
    static let day: Int64 = 86_400_000
    static let county = CountyCode(uncheckedRawValue: 140821)
    static let villages: [VillageCode] = (1...3).flatMap { t in (1...2).map { county.township(100 + t).village($0) } }

    /// A fleet of `count` phones: village assistants of six villages in three townships, a
    /// township reviewer, a county confirmer and a city supervisor, each phone last synced at a
    /// random age (or never) and holding a random backlog.
    static func fleet(_ count: Int, seed: UInt64) -> OpsFleet {
        var random = SeededGenerator(seed: seed)
        let workers = villages.map { Worker(id: WorkerID(unchecked: "w-\($0)"), name: "w", role: .villageAssistant, assignment: Assignment(villages: [$0])) } + [
            Worker(id: WorkerID(unchecked: "w-rev"), name: "r", role: .townshipReviewer, assignment: Assignment(townships: [villages[0].township])),
            Worker(id: WorkerID(unchecked: "w-conf"), name: "c", role: .countyConfirmer, assignment: Assignment(counties: [county])),
            Worker(id: WorkerID(unchecked: "w-city"), name: "s", role: .citySupervisor, assignment: Assignment(cities: [county.city])),
        ]
        return OpsFleet(devices: (0..<count).map { i in
            let synced = Int.random(in: 0..<10, using: &random) > 0
            let unsynced = Bool.random(using: &random) ? Int.random(in: 1...40, using: &random) : 0
            return OpsFleet.Device(id: String(format: "dev-%03d", i), name: "phone \(i)", worker: workers.randomElement(using: &random)!,
                                   lastSuccessDays: synced ? Double.random(in: 0...12, using: &random) : nil, unsynced: unsynced,
                                   oldestUnsyncedDays: unsynced > 0 ? Double.random(in: 0...15, using: &random) : nil)
        }, villages: villages)
    }

    /// A region's snapshot at `at`, computed from the fleet seeded at `seededAt` alone: a phone
    /// counts where one of its worker's places starts with the region's code.
    static func expected(_ fleet: OpsFleet, region: Int64, seededAt: Int64, at: Int64) -> HealthHour? {
        let mine = fleet.devices(in: String(region))
        guard !mine.isEmpty else { return nil }
        let last = { (d: OpsFleet.Device) in d.lastSuccessDays.map { seededAt - Int64($0 * OpsFleet.day) } }
        // A phone that never synced sent no health: its backlog is unknown to the server.
        let reported = mine.filter { $0.lastSuccessDays != nil }
        let oldest = reported.filter { $0.unsynced > 0 }.compactMap { $0.oldestUnsyncedDays.map { seededAt - Int64($0 * OpsFleet.day) } }.min()
        return HealthHour(region: region, hourMilliseconds: SyncHour.hour(of: at), takenAtMilliseconds: at, devices: mine.count, seen: reported.count,
                          syncedWithin3Days: mine.filter { last($0).map { at - $0 < 3 * day } ?? false }.count,
                          syncedWithin7Days: mine.filter { last($0).map { at - $0 < 7 * day } ?? false }.count,
                          unsyncedChanges: reported.map(\.unsynced).reduce(0, +), oldestUnsyncedMilliseconds: oldest)
    }

    @Test("every region's snapshots equal the figures counted from the fleet, hour after hour", arguments: Deployment.Backend.all)
    func snapshotsAreTheFleetsFigures(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            let fleet = Self.fleet(120, seed: 2_612)
            try await fleet.seed(d)
            let seededAt = d.clock.now
            let server = d.running.application.server
            let regions: [Int64] = [Int64(Self.county.city.rawValue), Int64(Self.county.rawValue)] + Set(Self.villages.map(\.township)).sorted().map { Int64($0.rawValue) }
            var random = SeededGenerator(seed: 77)
            var taken: [Int64] = []
            // Snapshots over ten days: windows slide past the phones' last syncs and ages grow.
            for _ in 0..<8 {
                d.clock.advance(by: Int64.random(in: 1...30, using: &random) * 3_600_000 + Int64.random(in: 0..<3_600_000, using: &random))
                let hours = try await server.snapshotHealth(now: d.clock.now)
                #expect(Set(hours.map(\.region)) == Set(regions), "the city, the county and its three townships")
                taken.append(d.clock.now)
            }
            // A second snapshot in the same hour replaces the first.
            d.clock.advance(by: 1)
            try await server.snapshotHealth(now: d.clock.now)
            taken[taken.count - 1] = d.clock.now
            for region in regions {
                let stored = try await server.ops.healthTrend(region: region, sinceMilliseconds: seededAt)
                let expected = taken.compactMap { Self.expected(fleet, region: region, seededAt: seededAt, at: $0) }
                #expect(stored == expected, "region \(region)")
            }
            let city = try await server.ops.healthTrend(region: regions[0], sinceMilliseconds: seededAt)
            #expect(city.contains { $0.syncedWithin3Days > 0 } && city.contains { $0.syncedWithin7Days > $0.syncedWithin3Days }
                    && city.contains { $0.oldestUnsyncedDays > 0 }, "the generated fleet exercises every figure: \(city)")

            // Retention takes the snapshots with the history.
            _ = try await d.store.trimSyncHistory(before: taken[4])
            let left = try await server.ops.healthTrend(region: regions[0], sinceMilliseconds: 0)
            #expect(left.map(\.takenAtMilliseconds) == taken.filter { SyncHour.hour(of: $0) >= SyncHour.hour(of: taken[4]) })
        }
    }

    @Test("a township whose phones stop syncing on day 3: its share falls to 0, its backlog grows and ages, its row turns red",
          arguments: Deployment.Backend.all)
    func aTownshipThatFallsSilentShowsIt(backend: Deployment.Backend) async throws {
        let A = HTTPFixture.villageA, steadyVillage = A.county.township(77).village(1)
        let inA = HTTPFixture.households(in: A).count + HTTPFixture.dataset.members.filter { $0.village == A }.count
        // Village A's scope is at the blocking level: the county's import on day 3 puts it over.
        try await Deployment.with(backend: backend, engine: { $0.scopeWarningRecords = inA; $0.scopeBlockingRecords = inA }) { d in
            try await d.seed(A)
            try await d.store.registerVillages([steadyVillage])
            let falling = [try await d.enrol(HTTPFixture.assistant(A, 1), replica: 0x71), try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0x72)]
            let steady = [try await d.enrol(HTTPFixture.assistant(steadyVillage, 1), replica: 0x73),
                          try await d.enrol(HTTPFixture.assistant(steadyVillage, 2), replica: 0x74)]
            for phone in falling + steady { try await phone.syncOK() }
            let households = HTTPFixture.households(in: A)
            let server = d.running.application.server
            var snapshots: [HealthHour] = []
            for day in 0..<14 {
                if day == 3 {
                    let moved = HTTPFixture.households(in: HTTPFixture.villageB).prefix(5).map { h in
                        var h = h
                        h.village = A
                        return ImportRecord(h)
                    }
                    try await d.seed(Array(moved), villages: [A])
                }
                for phone in steady { try await phone.syncOK() }
                // The falling phones record a visit a day and try to sync: from day 3 the server
                // refuses their scope, and what they hold piles up.
                for (n, phone) in falling.enumerated() {
                    _ = try phone.replica.updateHousehold(households[2 * day + n].id, [.monthlyIncomeFen: .int(40_000 + Int64(day))])
                    let before = d.clock.now
                    let report = await phone.sync()
                    #expect(report.succeeded == (day < 3), "day \(day): \(report.outcome)")
                    #expect(d.clock.now == before, "a refused sync is not retried later in the day")
                }
                snapshots += try await server.snapshotHealth(now: d.clock.now)
                d.clock.advance(by: Self.day)
            }
            let fallingTownship = Int64(A.township.rawValue), steadyTownship = Int64(steadyVillage.township.rawValue)
            let fell = snapshots.filter { $0.region == fallingTownship }, held = snapshots.filter { $0.region == steadyTownship }
            #expect(fell.count == 14 && held.count == 14)
            // Last success on day 2: within 3 days through day 4, within 7 through day 8.
            #expect(fell.map { $0.percent($0.syncedWithin3Days) } == Array(repeating: 100, count: 5) + Array(repeating: 0, count: 9))
            #expect(fell.map { $0.percent($0.syncedWithin7Days) } == Array(repeating: 100, count: 9) + Array(repeating: 0, count: 5))
            #expect(held.allSatisfy { $0.percent($0.syncedWithin3Days) == 100 && $0.percent($0.syncedWithin7Days) == 100 })
            // Each refused exchange reports the backlog: a visit a day a phone, the oldest from day 3.
            let ages = fell.map(\.oldestUnsyncedDays)
            #expect(fell.map(\.unsyncedChanges) == [0, 0, 0] + (3..<14).map { 2 * ($0 - 2) })
            #expect(ages == [0, 0, 0] + Array(0...10))
            #expect(held.allSatisfy { $0.unsyncedChanges == 0 && $0.oldestUnsyncedMilliseconds == nil })

            // The township's page draws it; the county's draws the county's lines.
            let township = try await SyncTrendTests.page(d, "/ops/townships/\(A.township)")
            #expect(Self.drawn("within3", in: township) == fell.map { $0.percent($0.syncedWithin3Days) })
            #expect(Self.drawn("within7", in: township) == fell.map { $0.percent($0.syncedWithin7Days) })
            #expect(Self.drawn("oldest", in: township) == ages)
            #expect(Self.drawn("unsynced", in: township) == fell.map(\.unsyncedChanges))
            #expect(try #require(Self.values("within3", in: township)).count == 14 * 24, "one value an hour, missing hours shown as -")
            let steadyPage = try await SyncTrendTests.page(d, "/ops/townships/\(steadyVillage.township)")
            #expect(Self.drawn("within3", in: steadyPage) == Array(repeating: 100, count: 14))
            let county = try await SyncTrendTests.page(d, "/ops/counties/\(A.county)")
            #expect(Self.drawn("within3", in: county)?.suffix(9) == Array(repeating: 50, count: 9), "half the county's phones")
            // Its page says so in red; its row is red, its share 0% in red; the steady township's green at 100%.
            #expect(OpsBrowser.figure("syncedShare", township) == "0%" && township.contains("id=\"figure-syncedShare\" class=\"red\""))
            #expect(OpsBrowser.figure("syncedShare", steadyPage) == "100%")
            #expect(county.contains("id=\"place-\(A.township)\" data-signal=\"red\""))
            #expect(county.contains("id=\"place-\(steadyVillage.township)\" data-signal=\"green\""))
            #expect(Self.row(A.township.description, in: county)?.contains("<td class=\"red\">0%</td>") == true)
            #expect(Self.row(steadyVillage.township.description, in: county)?.contains("<td class=\"green\">100%</td>") == true)
        }
    }

    @Test("the server's service takes the snapshot on each whole period of the server's clock")
    func theServiceSnapshotsOnTheServersClock() async throws {
        try await Deployment.with { d in
            let fleet = Self.fleet(12, seed: 5)
            try await fleet.seed(d)
            let server = d.running.application.server, clock = d.clock
            let city = Int64(Self.county.city.rawValue)
            let service = HealthSnapshotService(period: .milliseconds(50), clock: { clock.now }) { now in try await server.snapshotHealth(now: now) }
            let running = Task { try await service.run() }
            defer { running.cancel() }
            var taken: [HealthHour] = []
            for _ in 0..<100 where taken.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                taken = try await server.ops.healthTrend(region: city, sinceMilliseconds: 0)
            }
            let expected = try #require(Self.expected(fleet, region: city, seededAt: clock.now, at: clock.now))
            #expect(taken == [expected], "one snapshot of the hour, the fleet's figures")
        }
    }

    /// A chart line's `data-values`, nil where an hour has no snapshot.
    static func values(_ key: String, in html: String) -> [Int?]? {
        guard let start = html.range(of: "<polyline class=\"\(key)\" data-values=\"") else { return nil }
        return html[start.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map { Int($0) }
    }

    /// The values a line draws: its hours with a snapshot.
    static func drawn(_ key: String, in html: String) -> [Int]? { values(key, in: html)?.compactMap { $0 } }

    /// A place's row of a page.
    static func row(_ code: String, in html: String) -> Substring? {
        guard let start = html.range(of: "<tr class=\"place\" id=\"place-\(code)\"") else { return nil }
        return html[start.lowerBound...].prefix { $0 != "\n" }
    }
}
