/// One problem of a roster file: where (line, column) and what, in words an administrator acts on.
public struct RosterError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The line of the file the row starts on (1 is the header), nil for the whole file.
    public let line: Int?
    /// The column's header, nil for the whole row.
    public let column: String?
    public let message: String

    public init(line: Int?, column: String?, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        switch (line, column) {
        case let (l?, c?): "line \(l), \(c): \(message)"
        case let (l?, nil): "line \(l): \(message)"
        case let (nil, c?): "\(c): \(message)"
        case (nil, nil): message
        }
    }
}
