import DataProtection
import FieldModel
import SyncCore

/// How roster cells become field values: enumerations by raw name or Chinese label, money in
/// yuan, dates as `2024-03-05` or `2024/3/5`, yes/no as 是/否. Each value is then checked by
/// the field's own rule, so a roster is held to exactly what a device's write is.
enum RosterValues {
    static func household(_ cells: RosterCells, head: RosterCells, number: String, today: CalendarDate, ids: KeyedDerivation,
                          report: inout RosterImport.Report) -> ImportRecord? {
        var w = Writer(Household.Field.self, line: cells.line, report: report)
        defer { report = w.report }
        let village = w.parse(.village, cells) { try VillageCode(validating: $0) }
        // The head's name and ID number come from the head's row, which reports its own problems.
        if let id = try? IDCardNumber(validating: head[.idNumber], asOf: today) {
            w.fields[Household.Field.headName.id] = .text(head[.name])
            w.fields[Household.Field.headIDNumber.id] = .text(id.rawValue)
        } else {
            w.clean = false
        }
        w.reported.formUnion([.headName, .headIDNumber])
        w.set(.addressDetail, .address, cells) { .text($0) }
        w.set(.phone, .phone, cells) { $0.isEmpty ? .null : .text($0) }
        w.set(.category, .category, cells) { .text(try label($0, HouseholdCategory.self, chinese: \.chineseName).rawValue) }
        w.set(.classification, .classification, cells) { .text(try label($0, EconomicClassification.self, chinese: \.chineseName).rawValue) }
        w.set(.status, .status, cells) { .text($0.isEmpty ? WorkflowStatus.covered.rawValue : try label($0, WorkflowStatus.self, chinese: \.chineseName).rawValue) }
        w.set(.monthlyStandardFen, .monthlyStandard, cells) { .int(try fen($0)) }
        w.set(.monthlyAmountFen, .monthlyAmount, cells) { .int(try fen($0)) }
        w.set(.monthlyIncomeFen, .monthlyIncome, cells) { .int(try fen($0)) }
        w.set(.assetsFen, .assets, cells) { .int(try fen($0)) }
        let applied = w.parse(.appliedOn, cells) { try date($0) }
        w.columns[.appliedOn] = .appliedOn
        if let applied { w.fields[Household.Field.appliedOn.id] = .date(applied) } else { w.reported.insert(.appliedOn) }
        w.set(.coveredSince, .coveredSince, cells) { $0.isEmpty ? .null : .date(try date($0)) }
        w.set(.lastReviewedOn, .lastReviewedOn, cells) { $0.isEmpty ? .null : .date(try date($0)) }
        w.fields[Household.Field.notes.id] = .text("")
        for field in Household.Field.allCases { w.check(field, today: today) }
        w.checkRecord()
        guard let village, let applied, w.clean else { return nil }
        let id = derivedID(at: applied, "roster-household|\(village)|\(number)", ids)
        return ImportRecord(key: RecordKey(.household, id, scope: village), values: w.fields)
    }

    static func member(_ cells: RosterCells, household: RecordKey, today: CalendarDate, ids: KeyedDerivation,
                       report: inout RosterImport.Report) -> ImportRecord? {
        var w = Writer(Member.Field.self, line: cells.line, report: report)
        defer { report = w.report }
        w.fields[Member.Field.householdID.id] = .id(household.id)
        w.set(.name, .name, cells) { .text($0) }
        w.set(.idNumber, .idNumber, cells) { .text(try IDCardNumber(validating: $0, asOf: today).rawValue) }
        w.set(.relation, .relation, cells) { .text(try relation($0).rawValue) }
        let kind = w.parse(.disabilityKind, cells) { $0.isEmpty ? DisabilityKind.none : try label($0, DisabilityKind.self, chinese: \.chineseName) }
        w.fields[Member.Field.disabilityKind.id] = kind.map { .text($0.rawValue) }
        w.set(.disabilityGrade, .disabilityGrade, cells) { text in
            guard !text.isEmpty else { return .int(0) }
            guard let g = Int64(text) else { throw RosterError(line: nil, column: nil, "is not a grade 0–4") }
            return .int(g)
        }
        w.set(.seriousIllness, .seriousIllness, cells) { .bool(try yesNo($0)) }
        w.set(.labourAbility, .labourAbility, cells) { .text(try label($0, LabourAbility.self, chinese: \.chineseName).rawValue) }
        w.set(.status, .memberStatus, cells) { .text($0.isEmpty ? MemberStatus.present.rawValue : try label($0, MemberStatus.self, chinese: \.chineseName).rawValue) }
        for field in Member.Field.allCases { w.check(field, today: today) }
        w.checkRecord()
        guard w.clean, let idNumber = w.fields[Member.Field.idNumber.id]?.textValue else { return nil }
        let id = derivedID(at: Int64(household.id.milliseconds), "roster-member|\(household.id)|\(idNumber)", ids)
        return ImportRecord(key: RecordKey(.member, id, scope: household.scope), values: w.fields)
    }

    /// Builds one record's values, collecting every problem of the row.
    struct Writer<Key: FieldKey> {
        let line: Int
        var report: RosterImport.Report
        var fields: FieldValues = [:]
        var clean = true
        /// Fields already reported, so a parse failure is not reported again by its check.
        var reported = Set<Key>()
        /// The column each field was read from, to name it in a problem.
        var columns: [Key: RosterColumn] = [:]

        init(_: Key.Type, line: Int, report: RosterImport.Report) {
            self.line = line
            self.report = report
        }

        mutating func add(_ column: RosterColumn, _ message: String) {
            clean = false
            report.add(RosterError(line: line, column: column.rawValue, message))
        }

        /// Reads a cell; a failure is reported quoting the cell, unless the column is sensitive.
        mutating func parse<T>(_ column: RosterColumn, _ cells: RosterCells, _ read: (String) throws -> T) -> T? {
            do { return try read(cells[column]) } catch {
                switch error {
                case let e as ValidationError: add(column, e.message)
                case let e as RosterError: add(column, column.isSensitive ? "the value \(e.message)" : "\"\(cells[column].prefix(40))\" \(e.message)")
                default: add(column, "\(error)")
                }
                return nil
            }
        }

        mutating func set(_ field: Key, _ column: RosterColumn, _ cells: RosterCells, _ read: (String) throws -> FieldValue) {
            if let v = parse(column, cells, read) { fields[field.id] = v } else { reported.insert(field) }
            columns[field] = column
        }

        /// The rules across the record's fields, as a device's create is held to them (a grade
        /// without its disability, a covered household without a coverage or review date), once
        /// every field read cleanly.
        mutating func checkRecord() {
            guard clean else { return }
            do { try Key.collection.schema.validateRecord(fields) } catch {
                let field = Key.allCases.first { $0.path == error.field }
                add(field.flatMap { columns[$0] } ?? .householdNo, error.message)
            }
        }

        mutating func check(_ field: Key, today: CalendarDate) {
            guard !reported.contains(field) else { return }
            do { try field.spec.validate(fields[field.id] ?? .null, in: Key.collection, asOf: today) } catch {
                reported.insert(field)
                add(columns[field] ?? .householdNo, error.message)
            }
        }
    }

    /// An id for a roster record: a version-7 UUID whose time is `milliseconds` and whose other
    /// bits are a keyed HMAC of `key` (`ids`), so the same roster row always yields the same id
    /// on this server, and nobody without its key ring can tell an ID number from a member id
    /// (ids sit in the audit and conflict logs, which carry no values).
    static func derivedID(at milliseconds: Int64, _ key: String, _ ids: KeyedDerivation) -> RecordID {
        let h = ids.bytes(of: key)
        let high = h[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, low = h[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let time = UInt64(truncatingIfNeeded: max(0, milliseconds)) & 0xFFFF_FFFF_FFFF
        return RecordID(high: time << 16 | 0x7000 | (high & 0x0FFF), low: 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF))
    }

    static func derivedID(at date: CalendarDate, _ key: String, _ ids: KeyedDerivation) -> RecordID {
        derivedID(at: Int64(date.daysSinceEpoch) * 86_400_000 - 8 * 3_600_000, key, ids)
    }

    static func label<E: CaseIterable & RawRepresentable>(_ text: String, _: E.Type, chinese: (E) -> String) throws -> E where E.RawValue == String {
        if let e = E.allCases.first(where: { $0.rawValue == text || chinese($0) == text }) { return e }
        throw RosterError(line: nil, column: nil, "is not one of \(E.allCases.map { "\($0.rawValue) (\(chinese($0)))" }.joined(separator: ", "))")
    }

    static func relation(_ text: String) throws -> Relation { try label(text, Relation.self, chinese: \.chineseName) }

    static func yesNo(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "", "否", "no", "false", "0": false
        case "是", "yes", "true", "1": true
        default: throw RosterError(line: nil, column: nil, "is not 是/否 (yes/no)")
        }
    }

    /// Yuan with at most two decimals, no sign: `980`, `980.5`, `980.50` → fen.
    static func fen(_ text: String) throws -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 12, parts[0].allSatisfy(\.isASCII), let yuan = Int64(parts[0]), yuan >= 0,
              parts.count == 1 || ((1...2).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && $0.isNumber }) else {
            throw RosterError(line: nil, column: nil, "is not an amount in yuan (like 980 or 980.50)")
        }
        let cents = parts.count == 2 ? Int64(parts[1] + String(repeating: "0", count: 2 - parts[1].count))! : 0
        return yuan * 100 + cents
    }

    /// `2024-03-05`, `2024/3/5`.
    static func date(_ text: String) throws -> CalendarDate {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }), let date = CalendarDate(year: y, month: m, day: d) else {
            throw RosterError(line: nil, column: nil, "is not a date like 2024-03-05")
        }
        return date
    }
}
