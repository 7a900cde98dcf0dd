/// A CSV document for a spreadsheet (Excel, WPS): UTF-8 with a byte-order mark, so the Chinese
/// reads right when the file is double-clicked; CRLF line ends; RFC 4180 quoting. Every export
/// of the server writes through it (the special roster, the ops tables).
///
/// Cells are untrusted text (a device names itself): a cell that a spreadsheet would read as a
/// formula (leading `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, so it shows
/// as text and never runs. A long code of digits (a 12-digit village code, an 18-digit identity
/// number without its X) is written as the formula `="…"`: read as a number, Excel and WPS would
/// show it as 1.40821E+11 and keep only its first 15 digits. `SpreadsheetCSV.text(of:)` reads a
/// cell back.
///
///     var csv = SpreadsheetCSV(header: ["设备 device", "名称 name"])
///     csv.append(["dev-1", "=HYPERLINK(\"x\")"])   // "'=HYPERLINK(""x"")"
///     let bytes = csv.bytes                         // EF BB BF, then the lines
///
/// - Complexity: O(n) in the total length of the cells.
public struct SpreadsheetCSV: Sendable, Hashable {
    private var lines: [String]

    public init(header: [String]) {
        lines = [Self.line(header)]
    }

    /// Adds one row; its cells in the header's order.
    public mutating func append(_ row: [String]) {
        lines.append(Self.line(row))
    }

    /// The rows written so far, the header not counted.
    public var rowCount: Int { lines.count - 1 }

    /// The document: the byte-order mark, then every line ended by CRLF.
    public var bytes: [UInt8] {
        [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func line(_ cells: [String]) -> String { cells.map(field).joined(separator: ",") }

    /// One cell: neutralised if a spreadsheet would take it for a formula, then quoted when it
    /// holds a comma, a quote or a line break (quotes doubled).
    public static func field(_ text: String) -> String {
        let safe = isLongNumber(text) ? "=\"" + text + "\""
            : text.unicodeScalars.first.map { formulaStarts.contains($0) } == true ? "'" + text : text
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// What a cell written by `field` holds (the long-number formula unwrapped), for readers of
    /// these files other than a spreadsheet.
    public static func text(of cell: String) -> String {
        guard cell.hasPrefix("=\""), cell.hasSuffix("\""), cell.count > 3 else { return cell }
        let inner = String(cell.dropFirst(2).dropLast())
        return isLongNumber(inner) ? inner : cell
    }

    /// Digits only, at least `longNumberDigits` of them.
    static func isLongNumber(_ text: String) -> Bool {
        text.utf8.count >= longNumberDigits && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// From 12 digits Excel shows a number in scientific notation.
    static let longNumberDigits = 12

    /// The first characters with which Excel, WPS and LibreOffice start a formula (OWASP's list).
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
