import FieldModel
import SyncCore

/// The per-record key columns both bulk messages share: 16-byte ids, one collection byte, and
/// the village code as a difference from the previous record's. In version 2 a record may be
/// named by its handle instead of its id (`handle` non-zero: no id bytes).
struct KeyColumns {
    private(set) var ids: [UInt8] = []
    private(set) var collections: [UInt8] = []
    private(set) var scopeDeltas: [Int64] = []
    private(set) var handles = HandleColumn()
    private var previousScope: Int64 = 0

    mutating func append(_ key: RecordKey, handle: UInt64 = 0, idAlways: Bool = true) {
        if idAlways || handle == 0 { ids += key.id.bytes }
        handles.append(handle)
        collections.append(key.collection.rawValue)
        let scope = Int64(key.scope.rawValue)
        scopeDeltas.append(scope - previousScope)
        previousScope = scope
    }
}

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
