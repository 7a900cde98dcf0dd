import FieldModel
import SyncCore

/// A `StateBlock`'s fields: per record, its live fields (ids as differences from the previous
/// field's) with their sibling counts, then its tombstone count; the values in the value columns.
/// A field whose one sibling is the record's create is sent as its value alone (sibling count
/// 0); every other sibling, and every tombstone, goes to the sibling `DotColumns`.
struct FieldColumns {
    private(set) var fieldCounts: [UInt32] = []
    private(set) var fieldIDs: [UInt32] = []
    private(set) var siblingCounts: [UInt32] = []
    private(set) var tombstoneCounts: [UInt32] = []
    private var siblings = DotColumns()
    private var values = ValueColumnWriter()

    mutating func append(_ state: RecordState, replicaTable: inout TableBuilder<UInt64>, authorTable: inout TableBuilder<String>) {
        let base = state.created?.hlc.rawValue ?? 0
        let live = state.fields.filter { !$0.value.siblings.isEmpty }.sorted { $0.key < $1.key }
        fieldCounts.append(UInt32(live.count))
        var previousField: UInt16 = 0
        for (id, field) in live {
            fieldIDs.append(UInt32(id.rawValue - previousField))
            previousField = id.rawValue
            if field.siblings.count == 1, let c = state.created, let s = field.siblings.first,
               s.dot == c.dot, s.hlc == c.hlc, s.author == c.author {
                siblingCounts.append(0)
                values.append(s.value)
            } else {
                siblingCounts.append(UInt32(field.siblings.count))
                for s in field.siblings {
                    siblings.append(s, version: state.version, base: base, replicaTable: &replicaTable, authorTable: &authorTable)
                    values.append(s.value)
                }
            }
        }
        tombstoneCounts.append(UInt32(state.tombstones.count))
        for t in state.tombstones {
            siblings.append(t, version: state.version, base: base, replicaTable: &replicaTable, authorTable: &authorTable)
        }
    }

    func write(into block: inout Doorstep_Sync_V1_StateBlock) {
        block.fieldCounts = fieldCounts
        block.fieldIds = fieldIDs
        block.siblingCounts = siblingCounts
        block.tombstoneCounts = tombstoneCounts
        block.siblingReplicas = siblings.replicas
        block.siblingCounterDeltas = siblings.counterDeltas
        block.siblingHlcDeltas = siblings.hlcDeltas
        block.siblingAuthors = siblings.authors
        block.values = values.finished()
    }
}

/// Reads each record's fields and tombstones back in order. The decoder has checked that the
/// counts add up to the field ids, siblings and tombstones sent.
struct FieldColumnReader {
    private let fieldCounts: [UInt32]
    private let fieldIDs: [UInt32]
    private let siblingCounts: [UInt32]
    private let tombstoneCounts: [UInt32]
    private var siblings: DotColumnReader
    private var values: ValueColumnReader
    private var field = 0

    init(_ block: Doorstep_Sync_V1_StateBlock, authors: [WorkerID], limits: MessageLimits) throws(ProtocolError) {
        fieldCounts = block.fieldCounts
        fieldIDs = block.fieldIds
        siblingCounts = block.siblingCounts
        tombstoneCounts = block.tombstoneCounts
        siblings = DotColumnReader("sibling", replicas: block.siblingReplicas, counterDeltas: block.siblingCounterDeltas,
                                   hlcDeltas: block.siblingHlcDeltas, authors: block.siblingAuthors,
                                   replicaTable: block.replicas, authorTable: authors)
        values = try ValueColumnReader(block.values, limits: limits)
    }

    /// Record `i`'s fields, given its version and create (nil when it has none).
    mutating func fields(_ i: Int, version: VersionVector, created: Sibling?) throws(ProtocolError) -> [FieldID: FieldState] {
        let base = created?.hlc.rawValue ?? 0
        let fieldCount = Int(fieldCounts[i])
        var fields = [FieldID: FieldState](minimumCapacity: fieldCount)
        var fieldID: UInt32 = 0
        for j in 0..<fieldCount {
            let delta = fieldIDs[field]
            guard delta > 0 || j == 0, delta <= UInt32(UInt16.max) - fieldID else {
                throw ProtocolError(.invalidValue, "record \(i) field ids repeat or overflow")
            }
            fieldID += delta
            let count = Int(siblingCounts[field])
            field += 1
            if count == 0 {
                guard let c = created else {
                    throw ProtocolError(.inconsistent, "record \(i) field \(fieldID) refers to a create the record does not have")
                }
                fields[FieldID(UInt16(fieldID))] = FieldState(siblings: [Sibling(dot: c.dot, hlc: c.hlc, author: c.author, value: try values.next())])
            } else {
                var list: [Sibling] = []
                list.reserveCapacity(count)
                for _ in 0..<count { list.append(try siblings.sibling(version, base: base, value: try values.next())) }
                guard !Self.repeatsDot(list) else {
                    throw ProtocolError(.invalidValue, "record \(i) field \(fieldID) repeats a dot")
                }
                fields[FieldID(UInt16(fieldID))] = FieldState(siblings: list)
            }
        }
        return fields
    }

    /// Record `i`'s tombstones, read after its fields.
    mutating func tombstones(_ i: Int, version: VersionVector, created: Sibling?) throws(ProtocolError) -> [Sibling] {
        let base = created?.hlc.rawValue ?? 0
        var tombstones: [Sibling] = []
        for _ in 0..<Int(tombstoneCounts[i]) { tombstones.append(try siblings.sibling(version, base: base, value: .null)) }
        guard !Self.repeatsDot(tombstones) else {
            throw ProtocolError(.invalidValue, "record \(i) repeats a tombstone dot")
        }
        return tombstones
    }

    /// Whether two of `list` share a dot. Almost every list holds one sibling: no set is built for it.
    static func repeatsDot(_ list: [Sibling]) -> Bool {
        guard list.count > 1 else { return false }
        if list.count <= 8 {
            for a in list.indices { for b in list.indices where b > a && list[a].dot == list[b].dot { return true } }
            return false
        }
        return Set(list.map(\.dot)).count != list.count
    }

    /// Every value column consumed exactly.
    func finish() throws(ProtocolError) { try values.finish() }
}
