import FieldModel
@testable import SyntheticData

/// Datasets shared by the suites, generated once per test process.
enum Fixtures {
    static let asOf = DatasetSpec.defaultAsOf
    static let linyi = CountyCode(uncheckedRawValue: 140821)
    static let yanhu = CountyCode(uncheckedRawValue: 140802)

    /// One rural village of 临猗县.
    static let village = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .village, county: linyi))

    /// Two townships of 盐湖区, one urban (街道) and one rural: every category and status appears.
    static let mixed = DatasetGenerator.generate(DatasetSpec(seed: 11, size: .households(8_000), county: yanhu))

    static let all = [village, mixed]
}

/// Lookups over a dataset that the checks share.
struct DatasetIndex {
    let data: Dataset
    let households: [RecordID: Household]
    let membersByHousehold: [RecordID: [Member]]
    let visitsByHousehold: [RecordID: [Visit]]
    let workers: [WorkerID: Worker]
    let villages: [VillageCode: VillageInfo]

    init(_ data: Dataset) {
        self.data = data
        households = Dictionary(uniqueKeysWithValues: data.households.map { ($0.id, $0) })
        membersByHousehold = Dictionary(grouping: data.members, by: \.householdID)
        visitsByHousehold = Dictionary(grouping: data.visits, by: \.householdID)
        workers = Dictionary(uniqueKeysWithValues: data.workers.map { ($0.id, $0) })
        villages = Dictionary(uniqueKeysWithValues: data.villages.map { ($0.code, $0) })
    }
}

extension Dataset {
    /// Every synced record's collection, id, village and fields.
    var allRecords: [(RecordCollection, RecordID, VillageCode, FieldValues)] {
        func rows<R: FieldRecord>(_ rs: [R]) -> [(RecordCollection, RecordID, VillageCode, FieldValues)] {
            rs.map { (R.collection, $0.id, $0.village, $0.fieldValues) }
        }
        return rows(households) + rows(members) + rows(visits) + rows(leads) + rows(filings) + rows(notices)
    }

    /// The JSON lines of the whole dataset, workers first.
    var jsonLines: [UInt8] {
        var w = JSONLinesWriter()
        for worker in workers { w.write(worker) }
        for r in households { w.write(r) }
        for r in members { w.write(r) }
        for r in visits { w.write(r) }
        for r in leads { w.write(r) }
        for r in filings { w.write(r) }
        for r in notices { w.write(r) }
        return w.bytes
    }
}
