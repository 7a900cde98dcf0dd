/// A CSV document (RFC 4180) read into rows, each with the line it starts on, so an error can
/// name the line a person sees in a text editor even when a quoted value spans lines.
///
/// Accepts a UTF-8 byte-order mark, CRLF or LF line ends, quoted values with doubled quotes.
/// Refuses what a spreadsheet export never produces: a quote inside an unquoted value, text
/// after a closing quote, an unterminated quote, invalid UTF-8.
public struct CSVTable: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let values: [String]
    }

    public let header: [String]
    public let rows: [Row]

    /// Parses `bytes`; the first non-empty row is the header. Blank lines are skipped.
    public init(bytes: [UInt8], maxRows: Int, maxValueBytes: Int = 4_096) throws(RosterError) {
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw RosterError(line: nil, column: nil, "the file is not UTF-8 text; save the sheet as CSV UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows: [Row] = []
        var values: [String] = []
        var value: [UInt8] = []
        var line = 1, rowLine = 1
        var quoted = false, afterQuote = false, rowHasContent = false
        let utf8 = Array(text.utf8)
        var i = 0

        func endValue() throws(RosterError) {
            guard value.count <= maxValueBytes else {
                throw RosterError(line: rowLine, column: nil, "a value of \(value.count) bytes, limit \(maxValueBytes)")
            }
            values.append(String(decoding: value, as: UTF8.self))
            value.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRow() throws(RosterError) {
            try endValue()
            if rowHasContent || values.count > 1 || !(values.first ?? "").isEmpty {
                guard rows.count <= maxRows else {
                    throw RosterError(line: rowLine, column: nil, "more than \(maxRows) rows; split the roster by township")
                }
                rows.append(Row(line: rowLine, values: values))
            }
            values.removeAll()
            rowHasContent = false
        }

        while i < utf8.count {
            let c = utf8[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < utf8.count, utf8[i + 1] == UInt8(ascii: "\"") { value.append(c); i += 2; continue }
                    quoted = false
                    afterQuote = true
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    value.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: ","):
                try endValue()
                rowHasContent = true
            case UInt8(ascii: "\r") where i + 1 < utf8.count && utf8[i + 1] == UInt8(ascii: "\n"):
                break
            case UInt8(ascii: "\n"):
                try endRow()
                line += 1
                rowLine = line
            case UInt8(ascii: "\""):
                guard value.isEmpty, !afterQuote else {
                    throw RosterError(line: line, column: nil, "a quote inside an unquoted value; quote the whole value and double its quotes")
                }
                quoted = true
                rowHasContent = true
            default:
                guard !afterQuote else {
                    throw RosterError(line: line, column: nil, "text after a closing quote")
                }
                value.append(c)
            }
            i += 1
        }
        if quoted { throw RosterError(line: rowLine, column: nil, "a quoted value is never closed") }
        try endRow()

        guard let first = rows.first else { throw RosterError(line: nil, column: nil, "the file holds no header row") }
        header = first.values.map { String($0.trimmingSpaces) }
        self.rows = Array(rows.dropFirst())
    }
}
