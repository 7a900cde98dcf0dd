/// A replica: one device install, or the server. Chosen at random when the replica is made
/// (64 bits: a collision among a province's devices is vanishingly unlikely, and the server
/// refuses an enrolment that would reuse one).
public struct ReplicaID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public init(using generator: inout some RandomNumberGenerator) {
        var v: UInt64 = 0
        while v == 0 { v = generator.next() }  // zero is reserved: "no replica"
        self.rawValue = v
    }

    /// Sixteen hexadecimal digits.
    public var description: String {
        let s = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public init?(hex: String) {
        guard hex.utf8.count == 16, let v = UInt64(hex, radix: 16) else { return nil }
        self.rawValue = v
    }

    public static func < (a: ReplicaID, b: ReplicaID) -> Bool { a.rawValue < b.rawValue }
}

/// One write's identity: the replica that made it and that replica's counter at the time.
///
/// Counters start at 1 and grow by one with every write a replica makes, whatever record it
/// touches, so a replica's outbox is ordered by counter and acknowledged by dot.
public struct Dot: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let replica: ReplicaID
    public let counter: UInt64

    public init(_ replica: ReplicaID, _ counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    public var description: String { "\(replica):\(counter)" }
    public static func < (a: Dot, b: Dot) -> Bool { (a.replica, a.counter) < (b.replica, b.counter) }
}
