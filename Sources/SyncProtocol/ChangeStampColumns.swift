import FieldModel
import SyncCore

/// A `ChangeBatch`'s per-change stamps: the dot's counter and the clock, each as a difference
/// from the previous change's (version 2: the clock in two columns, `ClockColumns`), and the
/// author as an index into the author table. Every dot names the sender.
struct ChangeStampColumns {
    private(set) var counterDeltas: [Int64] = []
    private(set) var hlcDeltas: [Int64] = []
    private var clocks = ClockColumns()
    private(set) var authorIndexes: [UInt32] = []
    private var previousCounter: UInt64 = 0
    private var previousHLC: UInt64 = 0

    mutating func append(_ change: Change, authorTable: inout TableBuilder<String>) {
        counterDeltas.append(Int64(bitPattern: change.dot.counter &- previousCounter))
        previousCounter = change.dot.counter
        hlcDeltas.append(Int64(bitPattern: change.hlc.rawValue &- previousHLC))
        previousHLC = change.hlc.rawValue
        clocks.append(change.hlc)
        authorIndexes.append(UInt32(authorTable.index(change.author.rawValue)))
    }

    func write(into batch: inout Doorstep_Sync_V1_ChangeBatch, compact: Bool) {
        batch.counterDeltas = counterDeltas
        if compact {
            batch.hlcMillisecondDeltas = clocks.millisecondDeltas
            batch.hlcLogicals = clocks.logicals
        } else {
            batch.hlcDeltas = hlcDeltas
        }
        batch.authorIndexes = authorIndexes
    }
}

/// Reads the stamps back in order. The decoder has checked that each column holds one entry per
/// change.
struct ChangeStampColumnReader {
    private let counterDeltas: [Int64]
    private let hlcDeltas: [Int64]
    /// Version 2's clock columns; nil under version 1.
    private var clocks: ClockReader?
    private let authorIndexes: [UInt32]
    private let sender: ReplicaID
    private let authorTable: [WorkerID]
    private var change = 0
    private var counter: UInt64 = 0
    private var hlc: UInt64 = 0
    /// A sender's outbox holds one change per counter: a batch naming a dot twice is not one.
    private var counters: Set<UInt64>

    init(_ batch: Doorstep_Sync_V1_ChangeBatch, sender: ReplicaID, authors authorTable: [WorkerID], compact: Bool) {
        counterDeltas = batch.counterDeltas
        hlcDeltas = batch.hlcDeltas
        clocks = compact ? ClockReader(millisecondDeltas: batch.hlcMillisecondDeltas, logicals: batch.hlcLogicals) : nil
        authorIndexes = batch.authorIndexes
        self.sender = sender
        self.authorTable = authorTable
        counters = Set(minimumCapacity: batch.ops.count)
    }

    /// The next change's dot, clock and author.
    mutating func stamp() throws(ProtocolError) -> (dot: Dot, hlc: HLCTimestamp, author: WorkerID) {
        counter = counter &+ UInt64(bitPattern: counterDeltas[change])
        guard counter > 0 else { throw ProtocolError(.invalidValue, "change \(change) has counter 0") }
        guard counters.insert(counter).inserted else {
            throw ProtocolError(.inconsistent, "change \(change) repeats dot \(sender):\(counter) of the batch")
        }
        if let reading = try clocks?.reading(change, "change \(change)") {
            hlc = reading.rawValue
        } else {
            hlc = hlc &+ UInt64(bitPattern: hlcDeltas[change])
        }
        let authorIndex = Int(authorIndexes[change])
        guard authorIndex < authorTable.count else {
            throw ProtocolError(.inconsistent, "change \(change) names author \(authorIndex) of \(authorTable.count)")
        }
        change += 1
        return (Dot(sender, counter), HLCTimestamp(rawValue: hlc), authorTable[authorIndex])
    }
}
