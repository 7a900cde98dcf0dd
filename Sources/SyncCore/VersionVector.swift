/// For each replica, the highest counter of its writes that a record's state has seen.
///
/// A record's vector holds only the replicas that wrote that record, so it stays small however
/// many devices exist. Entries are kept sorted by replica for cheap merging and a canonical form.
///
///     var vv = VersionVector()
///     vv.add(Dot(a, 3))
///     vv.covers(Dot(a, 2))   // true
///     vv.compare(to: other)  // .before, .after, .equal or .concurrent
public struct VersionVector: Sendable, Hashable, Codable, CustomStringConvertible {
    /// (replica, counter) pairs sorted by replica, counters > 0.
    public private(set) var entries: [Entry]

    public struct Entry: Sendable, Hashable, Codable {
        public let replica: ReplicaID
        public let counter: UInt64
        public init(_ replica: ReplicaID, _ counter: UInt64) {
            self.replica = replica
            self.counter = counter
        }
    }

    public init() { entries = [] }

    /// A vector from pairs in any order; the highest counter wins for a repeated replica and zero
    /// counters are dropped.
    public init(_ pairs: [(ReplicaID, UInt64)]) {
        var vv = VersionVector()
        for (r, c) in pairs { vv.raise(r, to: c) }
        self = vv
    }

    /// Decodes entries given in any order and restores the invariant (sorted by replica, the
    /// highest counter per replica, no zeros), so `covers` and `subscript` answer correctly for
    /// a vector read from JSON or a property list.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let entries = try container.decode([Entry].self, forKey: .entries)
        self.init(entries.map { ($0.replica, $0.counter) })
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The counter seen for `replica`, 0 when none.
    /// - Complexity: O(log n).
    public subscript(replica: ReplicaID) -> UInt64 {
        if let i = index(of: replica) { return entries[i].counter }
        return 0
    }

    /// Whether the write `dot` is among those this vector has seen.
    /// - Complexity: O(log n).
    public func covers(_ dot: Dot) -> Bool { self[dot.replica] >= dot.counter }

    /// Whether every write `other` has seen, this one has too.
    /// - Complexity: O(n + m).
    public func covers(_ other: VersionVector) -> Bool {
        let order = compare(to: other)
        return order == .after || order == .equal
    }

    /// Records that `dot` has been seen.
    /// - Complexity: O(n) in the worst case (insertion), O(log n) when the replica is present.
    public mutating func add(_ dot: Dot) { raise(dot.replica, to: dot.counter) }

    mutating func raise(_ replica: ReplicaID, to counter: UInt64) {
        guard counter > 0 else { return }
        if let i = index(of: replica) {
            if entries[i].counter < counter { entries[i] = Entry(replica, counter) }
        } else {
            let at = entries.firstIndex { $0.replica > replica } ?? entries.endIndex
            entries.insert(Entry(replica, counter), at: at)
        }
    }

    /// The least vector that covers both.
    /// - Complexity: O(n + m).
    public func merging(_ other: VersionVector) -> VersionVector {
        var out: [Entry] = []
        out.reserveCapacity(max(entries.count, other.entries.count))
        var i = 0, j = 0
        while i < entries.count || j < other.entries.count {
            if j == other.entries.count || (i < entries.count && entries[i].replica < other.entries[j].replica) {
                out.append(entries[i]); i += 1
            } else if i == entries.count || other.entries[j].replica < entries[i].replica {
                out.append(other.entries[j]); j += 1
            } else {
                out.append(Entry(entries[i].replica, max(entries[i].counter, other.entries[j].counter)))
                i += 1; j += 1
            }
        }
        var vv = VersionVector()
        vv.entries = out
        return vv
    }

    public mutating func merge(_ other: VersionVector) { self = merging(other) }

    /// How this vector's history relates to `other`'s.
    /// - Complexity: O(n + m).
    public func compare(to other: VersionVector) -> CausalOrder {
        var less = false, greater = false
        var i = 0, j = 0
        while i < entries.count || j < other.entries.count {
            if j == other.entries.count || (i < entries.count && entries[i].replica < other.entries[j].replica) {
                greater = true; i += 1
            } else if i == entries.count || other.entries[j].replica < entries[i].replica {
                less = true; j += 1
            } else {
                if entries[i].counter > other.entries[j].counter { greater = true }
                if entries[i].counter < other.entries[j].counter { less = true }
                i += 1; j += 1
            }
            if less && greater { return .concurrent }
        }
        return less ? .before : (greater ? .after : .equal)
    }

    public var description: String {
        "{" + entries.map { "\($0.replica):\($0.counter)" }.joined(separator: ", ") + "}"
    }

    private func index(of replica: ReplicaID) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].replica < replica { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && entries[lo].replica == replica ? lo : nil
    }
}

/// The causal relation between two histories.
public enum CausalOrder: Sendable, Hashable {
    /// Strictly older: the other has seen everything this one has, and more.
    case before
    /// Strictly newer.
    case after
    case equal
    /// Each has seen a write the other has not.
    case concurrent
}
