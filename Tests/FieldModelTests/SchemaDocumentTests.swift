import FieldModel
import Foundation
import Testing

/// `protocol/schema.json` is `Schema.document`: other implementations generate their field tables
/// from it, so it must never drift from the Swift declaration. After a deliberate change of the
/// schema, run with `DOORSTEP_WRITE_SCHEMA=1` to write it anew
/// (`DOORSTEP_WRITE_SCHEMA=1 swift test --skip-build --filter SchemaDocumentTests`).
@Suite struct SchemaDocumentTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/schema.json")

    static func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Schema.document) + Data("\n".utf8)
    }

    @Test func theCommittedFileIsTheSchemaByteForByte() throws {
        let bytes = try Self.encoded()
        if ProcessInfo.processInfo.environment["DOORSTEP_WRITE_SCHEMA"] == "1" { try bytes.write(to: Self.file) }
        let stored = try Data(contentsOf: Self.file)
        #expect(stored == bytes, "protocol/schema.json differs from Schema.document: regenerate it with DOORSTEP_WRITE_SCHEMA=1")
        #expect(try JSONDecoder().decode(SchemaDocument.self, from: stored) == Schema.document)
    }

    @Test func everyFieldAndStepIsInTheDocument() {
        let document = Schema.document
        for c in RecordCollection.allCases {
            let entry = document.collections.first { $0.number == c.rawValue }
            #expect(entry?.fields.map(\.number) == c.schema.fields.map(\.id.rawValue))
            for field in entry?.fields ?? [] where field.type == "enumeration" {
                #expect(field.values?.allSatisfy { !$0.chinese.isEmpty } == true, "\(c.name).\(field.name) lacks Chinese names")
            }
        }
        #expect(document.workflow.steps == Workflow.steps)
    }
}
