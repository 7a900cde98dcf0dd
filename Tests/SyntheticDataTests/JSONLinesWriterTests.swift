import FieldModel
import Foundation
import Testing
@testable import SyntheticData

@Suite("JSONLinesWriter")
struct JSONLinesWriterTests {
    static let lines: [String] = String(decoding: Fixtures.village.jsonLines, as: UTF8.self)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

    @Test("One line per worker and record, each ending in a newline")
    func lineCount() {
        let d = Fixtures.village
        let records = d.workers.count + d.allRecords.count
        #expect(JSONLinesWriterTests.lines.count == records + 1)
        #expect(JSONLinesWriterTests.lines.last == "")
    }

    @Test("Every record line parses to collection, id, village and every schema field by name")
    func shape() throws {
        for line in JSONLinesWriterTests.lines.dropLast() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let collectionName = try #require(object["collection"] as? String)
            let fields = try #require(object["fields"] as? [String: Any])
            if collectionName == "worker" {
                #expect(Set(fields.keys) == ["assignment", "name", "role"])
                continue
            }
            let collection = try #require(RecordCollection(name: collectionName))
            #expect(RecordID(uuidString: try #require(object["id"] as? String)) != nil)
            #expect(try VillageCode(validating: try #require(object["village"] as? String)).county == Fixtures.linyi)
            #expect(Set(fields.keys) == Set(Schema.collection(collection).fields.map(\.name)))
            #expect(line.hasPrefix("{\"collection\":\"\(collectionName)\",\"id\":\""))
        }
    }

    @Test("Fields appear in sorted name order")
    func sortedKeys() throws {
        for line in JSONLinesWriterTests.lines.dropLast() where !line.contains("\"collection\":\"worker\"") {
            let name = String(line.dropFirst(15).prefix { $0 != "\"" })
            let collection = try #require(RecordCollection(name: name))
            let fieldsPart = line[line.range(of: "\"fields\":{")!.upperBound...]
            let names = Schema.collection(collection).fields.map(\.name).sorted()
            let positions = names.map { fieldsPart.range(of: "\"\($0)\":")!.lowerBound }
            #expect(positions == positions.sorted())
        }
    }

    @Test("Values render as the field model reads them back")
    func values() throws {
        let h = Fixtures.village.households[0]
        var w = JSONLinesWriter()
        w.write(h)
        let line = String(decoding: w.bytes, as: UTF8.self)
        #expect(line.contains("\"id\":\"\(h.id)\""))
        #expect(line.contains("\"appliedOn\":\"\(h.appliedOn)\""))
        #expect(line.contains("\"monthlyStandardFen\":\(h.monthlyStandardFen)"))
        #expect(line.contains("\"headName\":\"\(h.headName)\""))
        let notice = try #require(Fixtures.mixed.notices.first)
        var n = JSONLinesWriter()
        n.write(notice)
        let text = String(decoding: n.bytes, as: UTF8.self)
        #expect(text.contains("\"households\":[" + notice.households.map { "\"\($0)\"" }.joined(separator: ",") + "]"))
    }

    @Test("Quotes, backslashes and control characters are escaped")
    func escaping() throws {
        var lead = Fixtures.village.leads[0]
        lead.description = "说\"明\"\\ 第二行\n\t\u{1}"
        var w = JSONLinesWriter()
        w.write(lead)
        let data = Data(w.drain())
        #expect(w.bytes.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fields = try #require(object["fields"] as? [String: Any])
        #expect(fields["description"] as? String == lead.description)
        #expect(String(decoding: data, as: UTF8.self).contains("\\u0001"))
    }

    @Test("A worker line lists its assignment sorted")
    func workerLine() {
        var w = JSONLinesWriter()
        let villages: Set<VillageCode> = [VillageCode(uncheckedRawValue: 140821101002), VillageCode(uncheckedRawValue: 140821101001)]
        w.write(Worker(id: WorkerID(unchecked: "va-x"), name: "王芳", role: .villageAssistant, assignment: Assignment(villages: villages)))
        #expect(String(decoding: w.bytes, as: UTF8.self) == """
            {"collection":"worker","id":"va-x","fields":{"assignment":{"counties":[],"townships":[],"villages":["140821101001","140821101002"]},"name":"王芳","role":"villageAssistant"}}

            """)
    }
}
