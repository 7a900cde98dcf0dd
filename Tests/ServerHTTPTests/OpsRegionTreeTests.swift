import FieldModel
import Foundation
@testable import ServerOps
import SyntheticData
import Testing

/// The region tree's figures, swept over generated fleets: every place counts exactly the
/// devices whose worker is assigned it or a place inside it, and the city counts every device.
/// And the parts of a page address: codes read as the field model reads them, counts written
/// as a number formatter writes them.
@Suite("Ops region tree and page addresses")
struct OpsRegionTreeTests {
    static let county = CountyCode(uncheckedRawValue: 140821)

    /// A fleet of up to 60 devices over 2 counties, 3 townships each and 4 villages each, with
    /// assignments of villages, townships or counties and random ages.
    static func fleet(seed: UInt64) -> OpsFleet {
        var g = SeededGenerator(seed: seed)
        let counties = [county, CountyCode(uncheckedRawValue: 140822)]
        let villages = counties.flatMap { c in (1...3).flatMap { t in (1...4).map { c.township(100 + t).village($0) } } }
        let devices = (0..<Int.random(in: 1...60, using: &g)).map { i -> OpsFleet.Device in
            let v = villages.randomElement(using: &g)!
            let assignment: Assignment = switch Int.random(in: 0..<10, using: &g) {
            case 0: Assignment(counties: [v.county])
            case 1, 2: Assignment(townships: [v.township])
            case 3: Assignment(villages: [v, villages.randomElement(using: &g)!])
            default: Assignment(villages: [v])
            }
            let role: Role = assignment.counties.isEmpty ? (assignment.townships.isEmpty ? .villageAssistant : .townshipReviewer) : .countyConfirmer
            let days = Bool.random(using: &g) ? Double.random(in: 0...12, using: &g) : nil
            // What a device holds unsynced the server knows from its last exchange; one that never synced reported nothing.
            let unsynced = days != nil && Bool.random(using: &g) ? Int.random(in: 1...9, using: &g) : 0
            return OpsFleet.Device(id: "dev-\(i)", name: "p", worker: Worker(id: WorkerID(unchecked: "w\(i)"), name: "w", role: role, assignment: assignment),
                                   lastSuccessDays: days, unsynced: unsynced, oldestUnsyncedDays: unsynced > 0 ? Double.random(in: 0...12, using: &g) : nil)
        }
        return OpsFleet(devices: devices, villages: villages)
    }

    @Test(arguments: 0..<40)
    func everyPlaceCountsTheDevicesAssignedInsideIt(seed: Int) throws {
        let fleet = Self.fleet(seed: UInt64(seed))
        let now: Int64 = 1_800_000_000_000
        let statuses = fleet.devices.compactMap { d in
            d.lastSuccessDays.map { days in
                DeviceStatus(deviceID: d.id, worker: d.worker.id, lastSyncMilliseconds: now - Int64(days * OpsFleet.day), lastSuccessMilliseconds: now - Int64(days * OpsFleet.day),
                             lastFailureMilliseconds: nil, lastFailure: nil, lastDurationMilliseconds: 900,
                             health: .init(outboxCount: d.unsynced, oldestUnsyncedMilliseconds: d.oldestUnsyncedDays.map { now - Int64($0 * OpsFleet.day) },
                                           localRecords: 1, freeStorageBytes: nil, appVersion: "1", schemaVersion: 1), overBudget: false)
            }
        }
        let enrolled = fleet.devices.map { OpsOverview.EnrolledDevice(id: $0.id, name: $0.name, worker: $0.worker) }
        let overview = OpsOverview(now: now, thresholds: OpsThresholds(), devices: enrolled, statuses: statuses, villages: fleet.villages, conflicts: [])
        let tree = OpsRegionTree(overview: overview, devices: enrolled, villages: fleet.villages, conflicts: [])
        var places: [OpsRegion] = [.city]
        for v in fleet.villages { places += [.county(v.county), .township(v.township), .village(v)] }
        for place in Set(places) {
            let f = try #require(tree.figures[place])
            let expected = fleet.expected(place.code)
            #expect(OpsFleet.grouped(f.devices) == expected["devices"] && OpsFleet.grouped(f.active) == expected["active"], "seed \(seed) \(place)")
            #expect(OpsFleet.grouped(f.stale) == expected["stale"] && OpsFleet.grouped(f.unsyncedChanges) == expected["unsynced"], "seed \(seed) \(place)")
            #expect(OpsFleet.grouped(f.alerts) == expected["alerts"], "seed \(seed) \(place)")
            // Children are the places one level down, each once, in code order.
            let children = tree.children(of: place)
            #expect(children == children.sorted() && children.allSatisfy { $0.parent == place })
        }
        #expect(tree.figures[.city]?.devices == fleet.devices.count)
    }

    @Test func codesAreReadAsTheFieldModelReadsThem() {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let digits = String(UInt64.random(in: 100_000_000_000...999_999_999_999, using: &g))
            let candidates = [digits, "140821" + digits.suffix(6), "1408211" + digits.suffix(5), "140821101" + digits.suffix(3)]
            for text in candidates {
                let model = try? VillageCode(validating: text)
                let page = try? OpsRegion.parse("villages", text)
                #expect(model.map(OpsRegion.village) == page, "\(text)")
                let township = String(text.prefix(9))
                let byModel = model.map { OpsRegion.township($0.township) }
                if let byModel { #expect((try? OpsRegion.parse("townships", township)) == byModel) }
                let county = String(text.prefix(6))
                #expect(((try? OpsRegion.parse("counties", county)) != nil) == CountyCode(uncheckedRawValue: UInt32(county)!).isStructurallyValid, "\(county)")
            }
        }
        for bad in ["", "14082", "1408210", "14082a", " 140821", "١٤٠٨٢١", "+14082"] { #expect((try? OpsRegion.parse("counties", bad)) == nil, "\(bad)") }
    }

    @Test(arguments: [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, -4_321, Int.max, Int.min + 1])
    func countsCarryThousandsSeparators(_ n: Int) throws {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        #expect(OpsFormat.count(n) == formatter.string(from: NSNumber(value: n)))
    }
}
