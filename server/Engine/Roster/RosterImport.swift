import DataProtection
import FieldModel
import SyncCore

/// Reads a county's household roster (CSV, one row per person, `RosterColumn`s) into records
/// to create: households and their members. Every row is checked, and every problem reported
/// with its line and column; a roster with any problem yields no records at all.
///
/// Record ids are derived from the roster (village and household number; household and ID
/// number) by a keyed HMAC under the server's key ring, so importing the same file twice is
/// refused as a duplicate instead of doubling it, and an id gives no ID number away.
public struct RosterImport: Sendable {
    public var maxRows = 300_000
    /// Problems reported in full; beyond this only their number.
    public var maxReportedErrors = 200
    let ids: KeyedDerivation

    /// A reader deriving record ids with `ids` (the store's `StoredRecordCodec.rosterIDs`).
    public init(ids: KeyedDerivation) { self.ids = ids }

    public struct Parsed: Sendable, Hashable {
        public var records: [ImportRecord]
        public var households: Int
        public var members: Int
        /// The line each record came from (a household: its first row).
        public var lines: [RecordID: Int]
    }

    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let errors: [RosterError]
        /// Problems beyond those listed.
        public let more: Int
        public var description: String {
            errors.prefix(3).map(\.description).joined(separator: "; ") + (errors.count > 3 || more > 0 ? "; and \(errors.count - 3 + more) more" : "")
        }
    }

    public func parse(_ bytes: [UInt8], today: CalendarDate) throws(Failure) -> Parsed {
        let table: CSVTable
        do { table = try CSVTable(bytes: bytes, maxRows: maxRows) } catch { throw Failure(errors: [error], more: 0) }
        var report = Report(limit: maxReportedErrors)

        var columns: [RosterColumn: Int] = [:]
        for (i, header) in table.header.enumerated() where !header.isEmpty {
            guard let column = RosterColumn(header: header) else {
                report.add(RosterError(line: 1, column: header, "unknown column; the columns are \(RosterColumn.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            if columns[column] != nil { report.add(RosterError(line: 1, column: header, "the column appears twice")) }
            columns[column] = i
        }
        for c in RosterColumn.allCases where !c.isOptional && columns[c] == nil {
            report.add(RosterError(line: 1, column: c.rawValue, "required column missing (header \(c.rawValue) or \(c.chineseHeader))"))
        }
        if !report.errors.isEmpty { throw report.failure }
        if table.rows.isEmpty { throw Failure(errors: [RosterError(line: nil, column: nil, "the roster has a header but no rows")], more: 0) }

        var households: [String: HouseholdRows] = [:]
        var order: [String] = []
        var idNumbers: [String: Int] = [:]
        for row in table.rows {
            if row.values.count != table.header.count {
                report.add(RosterError(line: row.line, column: nil, "\(row.values.count) values, the header has \(table.header.count)"))
                continue
            }
            let cells = RosterCells(row: row, columns: columns)
            let number = cells[.householdNo]
            guard !number.isEmpty else { report.add(RosterError(line: row.line, column: RosterColumn.householdNo.rawValue, "empty")); continue }
            let id = cells[.idNumber]
            if let earlier = idNumbers[id], !id.isEmpty {
                report.add(RosterError(line: row.line, column: RosterColumn.idNumber.rawValue, "the same ID number as line \(earlier)"))
            }
            idNumbers[id] = row.line
            if households[number] == nil { order.append(number); households[number] = HouseholdRows(first: cells) }
            households[number]!.rows.append(cells)
        }

        var parsed = Parsed(records: [], households: 0, members: 0, lines: [:])
        for number in order {
            let group = households[number]!
            for cells in group.rows.dropFirst() {
                for c in RosterColumn.allCases where c.isHousehold && !cells[c].isEmpty && cells[c] != group.first[c] {
                    report.add(RosterError(line: cells.line, column: c.rawValue, c.isSensitive
                                           ? "household \(number) has another value here than on line \(group.first.line)"
                                           : "household \(number) has \"\(cells[c].prefix(40))\" here but \"\(group.first[c].prefix(40))\" on line \(group.first.line)"))
                }
            }
            let heads = group.rows.filter { (try? RosterValues.relation($0[.relation])) == .head }
            guard heads.count == 1 else {
                report.add(RosterError(line: group.first.line, column: RosterColumn.relation.rawValue,
                                       "household \(number) has \(heads.count) rows with relation head; it needs exactly one"))
                continue
            }
            // A household that fails still has its members checked, so every problem is reported.
            let household = RosterValues.household(group.first, head: heads[0], number: number, today: today, ids: ids, report: &report)
            let key = household?.key ?? RecordKey(.household, RecordID(high: 0, low: 0), scope: VillageCode(uncheckedRawValue: 0))
            if let household {
                parsed.records.append(household)
                parsed.lines[household.key.id] = group.first.line
                parsed.households += 1
            }
            for cells in group.rows {
                guard let member = RosterValues.member(cells, household: key, today: today, ids: ids, report: &report) else { continue }
                parsed.records.append(member)
                parsed.lines[member.key.id] = cells.line
                parsed.members += 1
            }
        }
        if !report.errors.isEmpty { throw report.failure }
        return parsed
    }

    struct HouseholdRows {
        let first: RosterCells
        var rows: [RosterCells] = []
    }

    /// The problems found so far, listing at most `limit`.
    struct Report {
        let limit: Int
        var errors: [RosterError] = []
        var more = 0
        mutating func add(_ e: RosterError) { if errors.count < limit { errors.append(e) } else { more += 1 } }
        var failure: Failure { Failure(errors: errors, more: more) }
    }
}

/// One row's values by column, trimmed; absent optional columns read as empty.
struct RosterCells {
    let line: Int
    let values: [RosterColumn: String]

    init(row: CSVTable.Row, columns: [RosterColumn: Int]) {
        line = row.line
        values = columns.mapValues { String(row.values[$0].trimmingSpaces) }
    }

    subscript(_ c: RosterColumn) -> String { values[c] ?? "" }
}
