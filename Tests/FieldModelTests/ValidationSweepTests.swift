import FieldModel
import Testing
import SyntheticData

/// Whatever arrives — from a buggy app, a hostile client, a corrupt store — every check returns
/// a value or an error naming the field; none traps.
@Suite("Validation sweeps")
struct ValidationSweepTests {
    /// One sample of each kind of field value.
    static let samples: [FieldValue] = [
        .null, .bool(true), .int(3), .text("张三"), .date(Fixture.date(2020, 1, 1)),
        .id(Fixture.rid(1)), .ids([Fixture.rid(1), Fixture.rid(2)]),
    ]

    /// Which value kinds each field kind takes, written from the field kinds' documentation.
    static func accepts(_ kind: ValueKind) -> String {
        switch kind {
        case .bool: "bool"
        case .money, .integer: "int"
        case .text, .personName, .phone, .enumeration, .idCard, .workerID: "text"
        case .date: "date"
        case .reference: "id"
        case .references: "ids"
        }
    }

    @Test("a value of the wrong kind is refused as an unknown value", arguments: FieldRef.all)
    func wrongKinds(field: FieldRef) {
        for value in Self.samples where value.kindName != "null" && value.kindName != Self.accepts(field.spec.kind) {
            let error = field.error(value)
            #expect(error?.field == field.path, "\(value)")
            #expect(error?.problem == .unknownValue, "\(value)")
            #expect(error?.message.contains(value.kindName) == true)
        }
    }

    /// Strings built to reach every branch: printable ASCII, digit runs that look like ID numbers
    /// and phones, CJK, controls, format characters, combining marks, emoji, very long text.
    static func junk(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        let ranges: [ClosedRange<UInt32>] = [
            0x00...0x1F, 0x20...0x7E, 0x30...0x39, 0x30...0x39, 0x7F...0x9F, 0xA0...0x24F, 0x300...0x36F,
            0x2000...0x206F, 0x3000...0x303F, 0x4E00...0x9FFF, 0xFF00...0xFFEF, 0x1F300...0x1FAFF, 0xE0000...0xE007F,
        ]
        let seeds = ["140821196503120271", "13812345678", "2024-06-15", "0190f3a2-7c4e-7d21-8b3a-1c2d3e4f5a6b",
                     "140821101001", "xie.li-07", "covered", "张三"]
        return (0..<count).map { i -> String in
            if i % 4 == 0 {
                // A valid-looking value with a few characters replaced, inserted or removed.
                var chars = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)])
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let r = ranges[Int.random(in: 0..<ranges.count, using: &rng)]
                    let c = Character(Unicode.Scalar(UInt32.random(in: r, using: &rng)) ?? "?")
                    let at = Int.random(in: 0...chars.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where at < chars.count: chars[at] = c
                    case 1 where at < chars.count: chars.remove(at: at)
                    default: chars.insert(c, at: at)
                    }
                }
                return String(chars)
            }
            let length = i % 97 == 0 ? Int.random(in: 2_000...5_000, using: &rng) : Int.random(in: 0...40, using: &rng)
            let r = ranges[Int.random(in: 0..<ranges.count, using: &rng)]
            var s = String.UnicodeScalarView()
            for _ in 0..<length {
                // Mostly one range per string, sometimes any.
                let range = Int.random(in: 0..<5, using: &rng) == 0 ? ranges[Int.random(in: 0..<ranges.count, using: &rng)] : r
                s.append(Unicode.Scalar(UInt32.random(in: range, using: &rng)) ?? "?")
            }
            return String(s)
        }
    }

    static let junkStrings = junk(count: 2_500, seed: 0x0005_EED5)

    @Test("junk text in every text field is accepted or refused with the field's name", arguments: FieldRef.all)
    func junkInEveryField(field: FieldRef) {
        guard Self.accepts(field.spec.kind) == "text" else { return }
        var refused = 0
        for text in Self.junkStrings {
            if let error = field.error(.text(text)) {
                refused += 1
                #expect(error.field == field.path)
                #expect(!error.message.isEmpty)
                continue
            }
            // What was accepted must satisfy the field's rule.
            switch field.spec.kind {
            case .text(let max, let required):
                #expect(text.count <= max)
                #expect(!required || text.contains { $0 != " " })
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
            case .personName(let max):
                #expect(text.count <= max && !text.isEmpty)
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 || ("0"..."9").contains($0) })
            case .phone:
                #expect(text.utf8.allSatisfy { ("0"..."9").contains(Unicode.Scalar($0)) || $0 == 0x2B || $0 == 0x2D || $0 == 0x20 })
            case .enumeration(let allowed):
                #expect(allowed.contains(text))
            case .idCard:
                #expect(text.count == 18 && Reference.checkCharacter(text.prefix(17)) == Character(text.suffix(1).uppercased()))
            case .workerID:
                #expect(!text.isEmpty && text.utf8.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            default:
                Issue.record("unexpected kind \(field.spec.kind.name)")
            }
        }
        #expect(refused > 0, "junk should not all pass \(field.path)")
    }

    @Test("junk parsed as ID numbers, village codes, worker ids, dates and record ids never traps")
    func junkThroughEveryParser() {
        var accepted = 0
        for text in Self.junkStrings {
            if let id = try? IDCardNumber(validating: text, asOf: Fixture.today) {
                accepted += 1
                #expect(id.rawValue.utf8.count == 18)
                #expect(Reference.checkCharacter(id.rawValue.prefix(17)) == id.rawValue.last)
            }
            if let village = try? VillageCode(validating: text) {
                #expect(village.description == text)
            }
            if let worker = try? WorkerID(validating: text) {
                #expect(worker.rawValue == text && worker.rawValue.utf8.count <= 64)
            }
            if let date = CalendarDate(iso: text) {
                #expect(date.description == text)
            }
            if let id = RecordID(uuidString: text) {
                #expect(id.description == text.lowercased())
            }
        }
        #expect(accepted < Self.junkStrings.count)
    }

    @Test("random integers are refused exactly outside each numeric field's bounds", arguments: FieldRef.all)
    func randomIntegers(field: FieldRef) {
        let bounds: ClosedRange<Int64>
        switch field.spec.kind {
        case .money(let max): bounds = 0...max
        case .integer(let range): bounds = range
        default: return
        }
        var rng = SeededGenerator(seed: UInt64(field.spec.id.rawValue) << 8 | UInt64(field.collection.rawValue))
        for i in 0..<2_000 {
            // Across the whole Int64 range, and near the bounds.
            let v: Int64 = i.isMultiple(of: 2) ? Int64(bitPattern: rng.next())
                : (i % 4 == 1 ? bounds.upperBound : bounds.lowerBound) &+ Int64.random(in: -3...3, using: &rng)
            let problem = field.problem(.int(v))
            if bounds.contains(v) {
                #expect(problem == nil)
            } else if case .money = field.spec.kind {
                #expect(problem == (v < 0 ? .negative : .tooLarge), "\(v)")
            } else {
                #expect(problem == .outOfRange, "\(v)")
            }
        }
    }
}
