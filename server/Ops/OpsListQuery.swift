/// How a long list of an ops page is cut: its order and which page of `pageSize` rows, from
/// the query parameters `sort` and `page`.
public struct OpsListQuery: Sendable, Hashable {
    public enum Sort: String, Sendable, Hashable, CaseIterable {
        /// Worst first: red, then amber, then green; more unsynced changes first.
        case signal
        /// By code or device id.
        case name
        /// Most unsynced changes first.
        case unsynced
        /// Oldest unsynced change first.
        case oldest
        /// Longest without a successful sync first (never synced before all).
        case last
    }

    public static let pageSize = 50

    public var sort: Sort
    public var page: Int

    public init(sort: Sort = .signal, page: Int = 1) {
        self.sort = sort
        self.page = page
    }

    /// The query from a page's parameters; an unknown order or a page that is not a number from
    /// 1 is a 400 naming the value.
    public init(parameters: [String: String]) throws(OpsError) {
        sort = .signal
        page = 1
        if let text = parameters["sort"] {
            guard let sort = Sort(rawValue: text) else {
                throw OpsError(.badRequest, "sort \"\(text.prefix(40))\" is none of \(Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.sort = sort
        }
        if let text = parameters["page"] {
            guard let page = Int(text), page >= 1, page <= 1_000_000 else {
                throw OpsError(.badRequest, "page \"\(text.prefix(40))\" is not a page number (1, 2, …)")
            }
            self.page = page
        }
    }

    /// The rows of this page, and how many pages there are; a page past the last is a 404.
    func cut<Row>(_ rows: [Row]) throws(OpsError) -> (rows: ArraySlice<Row>, pages: Int) {
        let pages = max(1, (rows.count + Self.pageSize - 1) / Self.pageSize)
        guard page <= pages else { throw OpsError(.notFound, "page \(page) does not exist: the list has \(pages) pages") }
        let start = (page - 1) * Self.pageSize
        return (rows[start..<min(rows.count, start + Self.pageSize)], pages)
    }
}
