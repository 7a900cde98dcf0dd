/// A table of distinct entries, each named by its index in first-use order (replica and author
/// tables of a message).
struct TableBuilder<Entry: Hashable> {
    private(set) var entries: [Entry] = []
    private var positions: [Entry: Int] = [:]

    mutating func index(_ entry: Entry) -> Int {
        if let i = positions[entry] { return i }
        positions[entry] = entries.count
        entries.append(entry)
        return entries.count - 1
    }
}
