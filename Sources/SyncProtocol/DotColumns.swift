import FieldModel
import SyncCore

/// Siblings as four parallel columns: each one's replica (an index into the replica table),
/// counter (as a difference from its record's version entry), clock (as a difference from a
/// base the caller names) and author. A `StateBlock` keeps its creates in one such group (each
/// clock from the previous create's) and its explicit siblings and tombstones in another (each
/// clock from the record's create, or 0). The values travel in the value columns.
struct DotColumns {
    private(set) var replicas: [UInt32] = []
    private(set) var counterDeltas: [Int64] = []
    private(set) var hlcDeltas: [Int64] = []
    private(set) var authors: [UInt32] = []

    mutating func append(_ s: Sibling, version: VersionVector, base: UInt64,
                         replicaTable: inout TableBuilder<UInt64>, authorTable: inout TableBuilder<String>) {
        replicas.append(UInt32(replicaTable.index(s.dot.replica.rawValue)))
        counterDeltas.append(Int64(bitPattern: s.dot.counter &- version[s.dot.replica]))
        hlcDeltas.append(Int64(bitPattern: s.hlc.rawValue &- base))
        authors.append(UInt32(authorTable.index(s.author.rawValue)))
    }
}

/// Reads a group of dot columns back in order. The decoder has checked that the four columns
/// are as long as the counts that claim them.
struct DotColumnReader {
    /// What an entry is called in an error ("sibling", "create").
    private let label: String
    private let replicas: [UInt32]
    private let counterDeltas: [Int64]
    private let hlcDeltas: [Int64]
    private let authors: [UInt32]
    private let replicaTable: [UInt64]
    private let authorTable: [WorkerID]
    private var entry = 0

    init(_ label: String, replicas: [UInt32], counterDeltas: [Int64], hlcDeltas: [Int64], authors: [UInt32],
         replicaTable: [UInt64], authorTable: [WorkerID]) {
        self.label = label
        self.replicas = replicas
        self.counterDeltas = counterDeltas
        self.hlcDeltas = hlcDeltas
        self.authors = authors
        self.replicaTable = replicaTable
        self.authorTable = authorTable
    }

    /// The next sibling, holding `value`: its dot must be covered by its record's `version`. Its
    /// clock is `clock` when the caller read it from columns of its own (version 2's creates),
    /// else `base` plus this group's clock difference.
    mutating func sibling(_ version: VersionVector, base: UInt64, value: FieldValue, clock: HLCTimestamp? = nil) throws(ProtocolError) -> Sibling {
        let r = Int(replicas[entry]), a = Int(authors[entry])
        guard r < replicaTable.count, a < authorTable.count else {
            throw ProtocolError(.inconsistent, "\(label) \(entry) names replica \(r) or author \(a) beyond the tables")
        }
        let replica = ReplicaID(replicaTable[r])
        let counter = version[replica] &+ UInt64(bitPattern: counterDeltas[entry])
        guard counter > 0, counter <= version[replica] else {
            throw ProtocolError(.invalidValue, "\(label) \(entry) dot \(replica):\(counter) is not covered by its record's version")
        }
        defer { entry += 1 }
        return Sibling(dot: Dot(replica, counter), hlc: clock ?? HLCTimestamp(rawValue: base &+ UInt64(bitPattern: hlcDeltas[entry])),
                       author: authorTable[a], value: value)
    }
}
