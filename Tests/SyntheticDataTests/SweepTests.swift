import FieldModel
import Testing
@testable import SyntheticData

/// Every county of the city, with reference dates across the supported range: small datasets,
/// checked for the invariants that matter most downstream.
@Suite("Sweep over counties and reference dates")
struct SweepTests {
    static let asOfs = [DatasetSpec.defaultAsOf, DatasetSpec.supportedAsOf.lowerBound,
                        DatasetSpec.supportedAsOf.upperBound, CalendarDate(year: 2028, month: 2, day: 29)!]

    @Test("Every county validates and keeps its invariants", arguments: Yuncheng.counties.indices)
    func county(_ i: Int) throws {
        let asOf = SweepTests.asOfs[i % SweepTests.asOfs.count]
        let spec = DatasetSpec(seed: UInt64(100 + i), size: .households(400), county: Yuncheng.counties[i].code, asOf: asOf)
        let data = DatasetGenerator.generate(spec)
        #expect(data.households.count == 400)
        for (collection, id, village, fields) in data.allRecords {
            #expect(village.county == Yuncheng.counties[i].code)
            do { try Schema.collection(collection).validateCreate(fields, asOf: asOf) } catch {
                Issue.record("\(collection) \(id) as of \(asOf): \(error)")
            }
        }
        let ix = DatasetIndex(data)
        for h in data.households {
            let latest = ix.visitsByHousehold[h.id, default: []].filter(\.kind.isReview).map(\.date).max()
            #expect(h.lastReviewedOn == latest)
            #expect(ix.membersByHousehold[h.id]?.isEmpty == false)
        }
        for v in data.visits {
            #expect(throws: Never.self) { try Recusal.checkVisit(v.kind, by: v.worker, at: v.householdID, filings: data.filings) }
            #expect(ix.workers[v.worker]?.assignment.covers(v.village) == true)
        }
        #expect(Set(data.members.map(\.idNumber)).count == data.members.count)
    }
}
