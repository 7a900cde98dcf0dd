import FieldModel
import Testing
@testable import SyntheticData

/// Everything generated must pass the field model's own checks, as a device or server would apply them.
@Suite("Generated records validate")
struct ValidationTests {
    @Test("Every record's fields pass its collection's create validation", arguments: Fixtures.all.indices)
    func recordsValidate(_ i: Int) throws {
        let data = Fixtures.all[i]
        for (collection, id, _, fields) in data.allRecords {
            do {
                try Schema.collection(collection).validateCreate(fields, asOf: Fixtures.asOf)
            } catch {
                Issue.record("\(collection) \(id): \(error)")
            }
        }
    }

    @Test("Records rebuild from their fields unchanged", arguments: Fixtures.all.indices)
    func roundTrip(_ i: Int) throws {
        let data = Fixtures.all[i]
        for h in data.households { #expect(try Household(id: h.id, village: h.village, fields: h.fieldValues) == h) }
        for m in data.members { #expect(try Member(id: m.id, village: m.village, fields: m.fieldValues) == m) }
        for v in data.visits { #expect(try Visit(id: v.id, village: v.village, fields: v.fieldValues) == v) }
        for l in data.leads { #expect(try DiscoveryLead(id: l.id, village: l.village, fields: l.fieldValues) == l) }
        for f in data.filings { #expect(try RelativeFiling(id: f.id, village: f.village, fields: f.fieldValues) == f) }
        for n in data.notices { #expect(try PublicNotice(id: n.id, village: n.village, fields: n.fieldValues) == n) }
    }

    @Test("Every ID number validates, carries the county prefix and is unique", arguments: Fixtures.all.indices)
    func idNumbers(_ i: Int) throws {
        let data = Fixtures.all[i]
        let county = String(data.plan.county.code.rawValue)
        var seen = Set<String>()
        for m in data.members {
            let parsed = try IDCardNumber(validating: m.idNumber.rawValue, asOf: Fixtures.asOf)
            #expect(parsed == m.idNumber)
            #expect(m.idNumber.rawValue.hasPrefix(county))
            #expect(seen.insert(m.idNumber.rawValue).inserted, "duplicate ID number \(m.idNumber)")
        }
    }

    @Test("Record ids are unique version-7 ids stamped no later than the reference date", arguments: Fixtures.all.indices)
    func recordIDs(_ i: Int) {
        let data = Fixtures.all[i]
        var seen = Set<RecordID>()
        for (collection, id, _, _) in data.allRecords {
            #expect(seen.insert(id).inserted, "duplicate id \(id) in \(collection)")
            #expect(id.high >> 12 & 0xF == 7)
            #expect(CalendarDate.chinaStandard(millisecondsSinceEpoch: id.milliseconds) <= Fixtures.asOf)
        }
    }

    @Test("Village codes are valid 12-digit codes of the dataset's county", arguments: Fixtures.all.indices)
    func villageCodes(_ i: Int) throws {
        let data = Fixtures.all[i]
        for v in data.villages {
            _ = try VillageCode(validating: v.code.rawValue)
            #expect(v.code.county == data.plan.county.code)
        }
    }

    @Test("Worker ids and every person's name pass the field model's rules", arguments: Fixtures.all.indices)
    func workerIDsAndNames(_ i: Int) throws {
        let data = Fixtures.all[i]
        for w in data.workers {
            _ = try WorkerID(validating: w.id.rawValue)
            try TextRules.checkName(w.name, maxLength: 40, field: "worker.name")
        }
    }

    @Test("Every character of the name pools passes the name rule, numerals such as 陆 and 万 included")
    func namePoolCharacters() {
        #expect(PersonNames.allCharacters.contains("陆") && PersonNames.allCharacters.contains("一"))
        for c in PersonNames.allCharacters {
            #expect(throws: Never.self) { try TextRules.checkName("王" + String(c), maxLength: 40, field: "member.name") }
        }
    }
}
