import SyncCore

/// Version vectors as parallel columns: entries per vector, then each entry's replica (an index
/// into the message's replica table) and counter.
struct VectorColumns {
    private(set) var sizes: [UInt32] = []
    private(set) var replicas: [UInt32] = []
    private(set) var counters: [UInt64] = []
    /// The same counters as differences per replica index (version 2).
    private(set) var counterDeltas: [Int64] = []
    private var deltas = ReplicaCounterDeltas()

    mutating func append(_ vector: VersionVector, table: inout TableBuilder<UInt64>) {
        sizes.append(UInt32(vector.count))
        for e in vector.entries {
            let index = UInt32(table.index(e.replica.rawValue))
            replicas.append(index)
            counters.append(e.counter)
            counterDeltas.append(deltas.delta(e.counter, replica: index))
        }
    }
}

/// Reads the vectors back in order. The decoder has checked that the sizes add up to the
/// entries and that replicas and counters are as many.
struct VectorColumnReader {
    private let sizes: [UInt32]
    private let replicas: [UInt32]
    private let counters: [UInt64]
    private let table: [UInt64]
    private var entry = 0

    init(sizes: [UInt32], replicas: [UInt32], counters: [UInt64], table: [UInt64]) {
        self.sizes = sizes
        self.replicas = replicas
        self.counters = counters
        self.table = table
    }

    /// The `i`th vector, the next in order; `whereabouts` names it in an error.
    mutating func vector(_ i: Int, _ whereabouts: String) throws(ProtocolError) -> VersionVector {
        let size = Int(sizes[i])
        let vector = try Check.vector(replicas: replicas, counters: counters, at: entry, count: size, table: table, whereabouts)
        entry += size
        return vector
    }
}
