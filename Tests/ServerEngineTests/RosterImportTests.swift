import FieldModel
import ServerEngine
import SyncCore
import SyntheticData
import Foundation
import Testing

@Suite("A county roster CSV is read row by row, every problem named by line and column")
struct RosterImportTests {
    let today = CalendarDate(year: 2026, month: 11, day: 30)!
    let village = Fixture.villageA
    var households: [Household] { Fixture.households(in: village) }
    var members: [Member] { Fixture.dataset.members.filter { $0.village == village } }

    func parse(_ text: String) throws(RosterImport.Failure) -> RosterImport.Parsed {
        try RosterImport(ids: StoredRecordCodec(keys: TestKeys.ring).rosterIDs).parse(Array(text.utf8), today: today)
    }

    func problems(_ text: String) -> [RosterError] {
        do {
            _ = try parse(text)
            Issue.record("a faulty roster was accepted")
            return []
        } catch { return error.errors }
    }

    @Test func aGeneratedRosterReadsBackToTheSameHouseholdsAndMembers() throws {
        let csv = RosterCSVWriter.render(households, members: members)
        let parsed = try parse(csv)
        #expect(parsed.households == households.count)
        #expect(parsed.members == members.count)
        let read = parsed.records.filter { $0.key.collection == .household }.map { try! Household(id: $0.key.id, village: $0.key.scope, fields: $0.values) }
        for (h, r) in zip(households, read) {
            #expect(r.headIDNumber == h.headIDNumber && r.monthlyIncomeFen == h.monthlyIncomeFen && r.status == h.status
                    && r.appliedOn == h.appliedOn && r.coveredSince == h.coveredSince && r.addressDetail == h.addressDetail && r.category == h.category)
        }
        // Ids come from the roster itself: the same file gives the same records.
        #expect(try parse(csv).records.map(\.key) == parsed.records.map(\.key))
        #expect(Set(parsed.records.map(\.key.id)).count == parsed.records.count)
    }

    @Test func chineseHeadersAndLabelsReadAsTheEnglishOnes() throws {
        let english = RosterCSVWriter.render(Array(households.prefix(3)), members: members)
        var lines = english.split(separator: "\r\n").map(String.init)
        lines[0] = RosterColumn.allCases.map(\.chineseHeader).joined(separator: ",")
        let chinese = lines.map {
            $0.replacingOccurrences(of: ",ruralDibao,", with: ",农村低保,").replacingOccurrences(of: ",head,", with: ",户主,")
        }.joined(separator: "\n")
        #expect(try parse(chinese).records == parse(english).records)
    }

    @Test func quotedValuesMaySpanLinesAndLinesAreCountedAsAnEditorShowsThem() throws {
        let csv = "\u{FEFF}a,b\r\n\"x, \"\"y\"\"\nz\",2\n\n3,4\n"
        let table = try CSVTable(bytes: Array(csv.utf8), maxRows: 10)
        #expect(table.header == ["a", "b"])
        #expect(table.rows.map(\.values) == [["x, \"y\"\nz", "2"], ["3", "4"]])
        #expect(table.rows.map(\.line) == [2, 5])
        for bad in ["a,b\n\"open,2\n", "a,b\nx\"y,2\n", "a,b\n\"x\"y,2\n"] {
            #expect(throws: RosterError.self) { try CSVTable(bytes: Array(bad.utf8), maxRows: 10) }
        }
        #expect(throws: RosterError.self) { try CSVTable(bytes: [0x61, 0xFF, 0x0A], maxRows: 10) }
    }

    /// One corrupted cell per trial, in every column that can be wrong: the problem names that
    /// line and that column, and no record is produced.
    @Test func everyCorruptedCellIsReportedAtItsLineAndColumn() throws {
        let csv = RosterCSVWriter.render(Array(households.prefix(12)), members: members)
        let rows = csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let corruptions: [(String, String)] = [
            ("village", "14082110020"), ("category", "rich"), ("status", "approvedish"), ("monthly_standard", "12.345"),
            ("monthly_income", "-5"), ("assets", "lots"), ("applied_on", "2024-02-30"), ("covered_since", "yesterday"),
            ("name", "张3"), ("id_number", "140821196503121238"), ("relation", "cousin"), ("disability_kind", "sad"),
            ("disability_grade", "9"), ("serious_illness", "maybe"), ("labour_ability", "strong"), ("member_status", "gone"),
        ]
        var g = SeededGenerator(seed: 11)
        for (column, bad) in corruptions {
            let c = try #require(rows[0].firstIndex(of: column))
            // Household columns are corrupted on a household's every row; member ones on one row.
            let target = Int.random(in: 1..<rows.count, using: &g)
            var copy = rows
            let isHousehold = RosterColumn(rawValue: column)!.isHousehold
            for r in 1..<copy.count where isHousehold ? copy[r][0] == rows[target][0] : r == target { copy[r][c] = bad }
            let text = copy.map { $0.joined(separator: ",") }.joined(separator: "\n")
            let found = problems(text)
            let firstRow = isHousehold ? rows.firstIndex { $0[0] == rows[target][0] }! : target
            #expect(found.contains { $0.line == firstRow + 1 && $0.column == column }, "\(column)=\(bad) on line \(firstRow + 1): \(found)")
        }
    }

    @Test func rosterWideMistakesAreNamed() throws {
        let csv = RosterCSVWriter.render(Array(households.prefix(6)), members: members)
        var lines = csv.split(separator: "\r\n").map(String.init)
        let header = lines[0]

        #expect(problems(header.replacingOccurrences(of: "assets", with: "wealth") + "\n" + lines[1...].joined(separator: "\n"))
            .contains { $0.line == 1 && $0.column == "wealth" })
        #expect(problems(header.replacingOccurrences(of: ",assets", with: "") + "\n")
            .contains { $0.column == "assets" && $0.message.contains("required") })
        #expect(problems(header + "\n").first?.message.contains("no rows") == true)
        #expect(problems(header + "\n1,2,3\n").first?.line == 2)

        // A second row of a household that disagrees on the address.
        let numbers = lines.map { $0.prefix { $0 != "," } }
        let secondRow = try #require(lines.indices.dropFirst(2).first { numbers[$0] == numbers[$0 - 1] }, "a household of two")
        let address = households[Int(numbers[secondRow])! - 1].addressDetail
        lines[secondRow] = lines[secondRow].replacingOccurrences(of: "," + address + ",", with: ",别处,")
        #expect(problems(lines.joined(separator: "\n")).contains { $0.line == secondRow + 1 && $0.column == "address" })

        // The same person twice; and a household with no head.
        let dup = csv + csv.split(separator: "\r\n")[1].replacingOccurrences(of: "1,", with: "99,", options: .anchored) + "\n"
        #expect(problems(dup).contains { $0.column == "id_number" && $0.message.contains("same ID number") })
        let headless = csv.replacingOccurrences(of: ",head,", with: ",other,")
        #expect(problems(headless).contains { $0.column == "relation" && $0.message.contains("exactly one") })
    }

    /// The rules across fields a device's create is held to hold for a roster row too: a
    /// disability grade goes with its kind, a covered household has a coverage or review date.
    @Test func rowsBreakingARuleAcrossFieldsAreRefusedAtTheirColumn() throws {
        let csv = RosterCSVWriter.render(Array(households.prefix(12)), members: members)
        let rows = csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        func column(_ name: String) throws -> Int { try #require(rows[0].firstIndex(of: name)) }
        func text(_ r: [[String]]) -> String { r.map { $0.joined(separator: ",") }.joined(separator: "\n") }
        let (kind, grade) = (try column("disability_kind"), try column("disability_grade"))
        let (status, covered, reviewed) = (try column("status"), try column("covered_since"), try column("last_reviewed_on"))

        var gradeOnly = rows
        gradeOnly[1][kind] = ""
        gradeOnly[1][grade] = "2"
        #expect(problems(text(gradeOnly)).contains { $0.line == 2 && $0.column == "disability_grade" })
        var kindOnly = rows
        kindOnly[1][kind] = "physical"
        kindOnly[1][grade] = ""
        #expect(problems(text(kindOnly)).contains { $0.line == 2 && $0.column == "disability_grade" && $0.message.contains("grade 1–4") })

        // A covered household with neither date would never fall due for review.
        var undated = rows
        let household = rows[1][0]
        for r in 1..<undated.count where undated[r][0] == household {
            undated[r][status] = "covered"
            undated[r][covered] = ""
            undated[r][reviewed] = ""
        }
        #expect(problems(text(undated)).contains { $0.line == 2 && $0.column == "covered_since" && $0.message.contains("never fall due") })
        var reviewedOnly = undated
        for r in 1..<reviewedOnly.count where reviewedOnly[r][0] == household { reviewedOnly[r][reviewed] = "2026-05-01" }
        #expect(throws: Never.self) { try parse(text(reviewedOnly)) }
    }

    @Test(arguments: StoreBackend.all)
    func importAllWritesEverythingOrNothing(_ backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let parsed = try parse(RosterCSVWriter.render(Array(households.prefix(5)), members: members))
            let created = try await engine.importAll(parsed.records, by: Fixture.admin, now: Fixture.now)
            #expect(created == parsed.records.count)
            let count = try await engine.store.recordCount(villages: [village])
            let audit = try await engine.store.auditEntries(limit: 10_000).count
            let more = try parse(RosterCSVWriter.render(Array(households.prefix(8)), members: members))
            let refused = await #expect(throws: ImportRefused.self) { try await engine.importAll(more.records, by: Fixture.admin, now: Fixture.now) }
            #expect(refused?.refusals.count == 5 + members.filter { m in households.prefix(5).contains { $0.id == m.householdID } }.count)
            // The three new households were not imported beside the five duplicates. (Only the
            // server's counter sequence moved on, as a database sequence does.)
            #expect(try await engine.store.recordCount(villages: [village]) == count)
            #expect(try await engine.store.auditEntries(limit: 10_000).count == audit)
            let fresh = more.records.filter { record in !parsed.records.contains { $0.key == record.key } }
            #expect(fresh.count == more.records.count - parsed.records.count && !fresh.isEmpty)
            for record in fresh { #expect(try await engine.store.record(record.key) == nil) }
        }
    }
}
