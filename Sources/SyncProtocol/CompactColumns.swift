import SyncCore

/// Counters as differences from the previous counter of the same replica-table index in the
/// message (version 2): consecutive vectors repeat or barely move their entries, so the deltas
/// are 0 or small where the counters themselves take three or four bytes each.
struct ReplicaCounterDeltas {
    private var last: [UInt32: UInt64] = [:]

    mutating func delta(_ counter: UInt64, replica: UInt32) -> Int64 {
        defer { last[replica] = counter }
        return Int64(bitPattern: counter &- (last[replica] ?? 0))
    }

    /// The counters a column of deltas stands for, entry by entry (`replicas` and `deltas` have
    /// been checked to be the same length).
    /// - Complexity: O(n)
    static func counters(replicas: [UInt32], deltas: [Int64]) -> [UInt64] {
        var last: [UInt32: UInt64] = [:]
        return zip(replicas, deltas).map { replica, delta in
            let counter = (last[replica] ?? 0) &+ UInt64(bitPattern: delta)
            last[replica] = counter
            return counter
        }
    }
}

/// Clock readings as two columns (version 2): the milliseconds as a difference from the previous
/// reading's, and the logical counter as it is. One 64-bit difference of whole readings puts the
/// millisecond step above 16 bits of logical counter: six bytes where these take three and one.
struct ClockColumns {
    private(set) var millisecondDeltas: [Int64] = []
    private(set) var logicals: [UInt32] = []
    private var previous: Int64 = 0

    mutating func append(_ t: HLCTimestamp) {
        millisecondDeltas.append(t.milliseconds &- previous)
        previous = t.milliseconds
        logicals.append(UInt32(t.logical))
    }
}

/// Reads `ClockColumns` back, checking each reading fits the 48 + 16 bits of a clock.
struct ClockReader {
    let millisecondDeltas: [Int64]
    let logicals: [UInt32]
    private var previous: Int64 = 0

    init(millisecondDeltas: [Int64], logicals: [UInt32]) {
        self.millisecondDeltas = millisecondDeltas
        self.logicals = logicals
    }

    mutating func reading(_ i: Int, _ whereabouts: String) throws(ProtocolError) -> HLCTimestamp {
        let milliseconds = previous &+ millisecondDeltas[i]
        guard milliseconds >= 0, milliseconds < 1 << 48, logicals[i] <= UInt32(UInt16.max) else {
            throw ProtocolError(.invalidValue, "\(whereabouts): clock \(milliseconds).\(logicals[i]) is outside 48 bits of milliseconds and 16 of logical counter")
        }
        previous = milliseconds
        return HLCTimestamp(milliseconds: milliseconds, logical: UInt16(logicals[i]))
    }
}

/// Record handles as differences from the previous record's (version 2; SPEC §5). A handle is the
/// server's short name for a record (its sequence number when the page carried it); 0 means
/// none: the record is named by its id.
struct HandleColumn {
    private(set) var deltas: [Int64] = []
    private var previous: UInt64 = 0

    mutating func append(_ handle: UInt64) {
        deltas.append(Int64(bitPattern: handle &- previous))
        previous = handle
    }

    /// The handles a column of deltas stands for; each must fit a positive 63-bit integer or be 0.
    static func handles(_ deltas: [Int64], _ whereabouts: String) throws(ProtocolError) -> [UInt64] {
        var previous: UInt64 = 0
        var out: [UInt64] = []
        out.reserveCapacity(deltas.count)
        for (i, delta) in deltas.enumerated() {
            previous = previous &+ UInt64(bitPattern: delta)
            guard previous <= UInt64(Int64.max) else {
                throw ProtocolError(.invalidValue, "\(whereabouts) \(i): handle \(previous) is beyond 63 bits")
            }
            out.append(previous)
        }
        return out
    }
}
