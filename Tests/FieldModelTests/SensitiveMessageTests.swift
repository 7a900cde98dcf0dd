import FieldModel
import SyntheticData
import Testing

/// No message about a sensitive field repeats its value (SPEC §11.6): swept over every
/// sensitive field and many invalid values of each kind.
@Suite("Sensitive values never appear in a validation message")
struct SensitiveMessageTests {
    static let sensitive = FieldRef.all.filter { Schema.isSensitive($0.collection, $0.spec.id) }
    static let today = CalendarDate(year: 2026, month: 11, day: 30)!

    @Test("the list covers ID numbers, incomes, assets, disability and illness")
    func coverage() {
        let paths = Set(Self.sensitive.map(\.path))
        for path in ["household.headIDNumber", "member.idNumber", "household.monthlyIncomeFen", "household.assetsFen", "visit.monthlyIncomeFen",
                     "visit.assetsFen", "member.disabilityKind", "member.disabilityGrade", "member.seriousIllness"] {
            #expect(paths.contains(path), "\(path) is sensitive")
        }
        #expect(!paths.contains("household.headName") && !paths.contains("household.phone"))
    }

    @Test("an invalid value of a sensitive field is refused without being repeated", arguments: sensitive)
    func valueNotRepeated(field: FieldRef) {
        var random = SeededGenerator(seed: field.path.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })
        for _ in 0..<300 {
            let (value, texts) = Self.invalid(for: field.spec.kind, using: &random)
            do {
                try field.spec.validate(value, in: field.collection, asOf: Self.today)
            } catch {
                for text in texts { #expect(!error.description.contains(text), "\(field.path): \(error.description) repeats \(text)") }
            }
        }
    }

    /// A value likely to fail the kind's checks, and the substrings a message must not hold.
    static func invalid(for kind: ValueKind, using random: inout SeededGenerator) -> (FieldValue, [String]) {
        switch kind {
        case .money(let max):
            let v = random.next() % 2 == 0 ? -Int64(random.next() % 1_000_000_000 + 1) : max + Int64(random.next() % 1_000_000_000 + 1)
            return (.int(v), [String(v), String(v.magnitude)])
        case .integer(let range):
            let v = range.upperBound + Int64(random.next() % 100_000 + 7)
            return (.int(v), [String(v)])
        case .idCard:
            // 18 characters of digits, most of them wrong somewhere: check digit, date, region.
            let text = String((0..<18).map { _ in Character(String(random.next() % 10)) })
            return (.text(text), (0...12).map { i in String(Array(text)[i..<i + 6]) })
        case .enumeration:
            let text = "x" + String(random.next() % 1_000_000_000 + 100_000)
            return (.text(text), [text])
        case .bool:
            let v = Int64(random.next() % 1_000_000 + 1_000)
            return (.int(v), [String(v)])
        default:
            return (.null, [])
        }
    }
}
