/// The digest of a whole scope: the XOR of its records' digests.
///
/// Two replicas holding the same state of a scope compute the same value, whatever order they
/// applied changes in, and each applied change updates it in O(1) — remove the record's old
/// digest, add its new one — so a device and the server compare scopes without moving them.
public struct ScopeDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public private(set) var value: Digest128
    public private(set) var recordCount: Int

    public init(value: Digest128 = .zero, recordCount: Int = 0) {
        self.value = value
        self.recordCount = recordCount
    }

    /// Replaces a record's contribution: `old` nil for a new record, `new` nil for one leaving the scope.
    public mutating func replace(_ old: Digest128?, with new: Digest128?) {
        if let old { value = value ^ old; recordCount -= 1 }
        if let new { value = value ^ new; recordCount += 1 }
    }

    /// Removes the contribution of a set of records whose digest is `part` (they are in this one).
    public mutating func leaveOut(_ part: ScopeDigest) {
        value = value ^ part.value
        recordCount -= part.recordCount
    }

    /// The digest of `states`, computed from scratch.
    public static func of(_ states: some Sequence<RecordState>) -> ScopeDigest {
        var d = ScopeDigest()
        for s in states { d.replace(nil, with: s.digest) }
        return d
    }

    public var description: String { "\(value)/\(recordCount)" }
}
