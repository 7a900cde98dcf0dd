import FieldModel
import Foundation
import SyncCore

/// A `StateBlock`'s creates: a flag per record, and for each record that carries its create, the
/// create's dot, clock (as a difference from the previous create's; version 2: in two columns,
/// `ClockColumns`) and author (`DotColumns`).
struct CreatedColumns {
    private(set) var flags: [UInt8] = []
    private var dots = DotColumns()
    private var clocks = ClockColumns()
    private var previousHLC: UInt64 = 0

    mutating func append(_ created: Sibling?, version: VersionVector,
                         replicaTable: inout TableBuilder<UInt64>, authorTable: inout TableBuilder<String>) {
        guard let c = created else {
            flags.append(0)
            return
        }
        flags.append(1)
        dots.append(c, version: version, base: previousHLC, replicaTable: &replicaTable, authorTable: &authorTable)
        previousHLC = c.hlc.rawValue
        clocks.append(c.hlc)
    }

    func write(into block: inout Doorstep_Sync_V1_StateBlock, compact: Bool) {
        block.createdFlags = Data(flags)
        block.createdReplicas = dots.replicas
        block.createdCounterDeltas = dots.counterDeltas
        if compact {
            block.createdHlcMillisecondDeltas = clocks.millisecondDeltas
            block.createdHlcLogicals = clocks.logicals
        } else {
            block.createdHlcDeltas = dots.hlcDeltas
        }
        block.createdAuthors = dots.authors
    }
}

/// Reads the creates back in order. The decoder has checked that every flag is 0 or 1 and that
/// each create column holds one entry per flag set.
struct CreatedColumnReader {
    private let flags: [UInt8]
    private var dots: DotColumnReader
    private var previousHLC: UInt64 = 0
    /// Version 2's clock columns; nil under version 1.
    private var clocks: ClockReader?
    private var entry = 0

    init(_ block: Doorstep_Sync_V1_StateBlock, authors: [WorkerID], compact: Bool) {
        flags = [UInt8](block.createdFlags)
        clocks = compact ? ClockReader(millisecondDeltas: block.createdHlcMillisecondDeltas, logicals: block.createdHlcLogicals) : nil
        dots = DotColumnReader("create", replicas: block.createdReplicas, counterDeltas: block.createdCounterDeltas,
                               hlcDeltas: block.createdHlcDeltas, authors: block.createdAuthors,
                               replicaTable: block.replicas, authorTable: authors)
    }

    /// Record `i`'s create (with no value), nil when the record does not carry it.
    mutating func created(_ i: Int, version: VersionVector) throws(ProtocolError) -> Sibling? {
        guard flags[i] == 1 else { return nil }
        let clock = try clocks?.reading(entry, "record \(i) create")
        let created = try dots.sibling(version, base: previousHLC, value: .null, clock: clock)
        previousHLC = created.hlc.rawValue
        entry += 1
        return created
    }
}
