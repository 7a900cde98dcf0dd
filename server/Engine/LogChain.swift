import DataProtection

/// The audit and security logs are hash-chained: each entry's `chain` is a keyed HMAC over the
/// previous entry's and its own columns (`ChainKey`), starting from the log's anchor. Editing,
/// inserting or deleting an entry breaks the chain from there on, and without the key ring
/// nobody can forge a chain that verifies. `doorstep-server admin verify-logs` walks it.
///
/// The anchor is where verification starts: the link of the last entry before the first one
/// kept (zeros for a log kept whole). The retention archives old entries to files (with their
/// links) and deletes them, moving the anchor to the last archived entry in the same
/// transaction (`RetentionStore.archiveLog`): the trimmed log verifies from its first kept
/// entry, and the archives and the database verify as one chain (`ArchivedChain`). The head is the last entry's link:
/// recorded outside the server (a daily printout, a ticket), it also proves that no entry was
/// cut off the end.
public enum ChainedLog: String, Sendable, Hashable, CaseIterable, Codable {
    case audit = "audit_log"
    case security = "security_log"
}

/// The chain keys of both logs, derived from the key ring's index secret.
public struct LogChains: Sendable {
    let audit: ChainKey
    let security: ChainKey

    public init(keys: KeyRing) {
        audit = ChainKey(ring: keys, purpose: "audit-log")
        security = ChainKey(ring: keys, purpose: "security-log")
    }

    public func key(_ log: ChainedLog) -> ChainKey { log == .audit ? audit : security }
}

/// Where a log's chain starts and ends, as its store records them.
public struct LogChainState: Sendable, Hashable, Codable {
    public var log: ChainedLog
    /// The last entry before the chain's first (0: the log is chained from its first entry).
    public var anchorID: Int64
    public var anchor: [UInt8]
    /// The last chained entry, and its link.
    public var headID: Int64
    public var head: [UInt8]

    public init(log: ChainedLog, anchorID: Int64, anchor: [UInt8], headID: Int64, head: [UInt8]) {
        self.log = log
        self.anchorID = anchorID
        self.anchor = anchor
        self.headID = headID
        self.head = head
    }
}

/// What walking a log's chain found.
public struct LogVerification: Sendable, Hashable, Codable {
    public var log: ChainedLog
    public var anchorID: Int64
    public var checked: Int
    public var headID: Int64
    public var head: String
    /// The first entry whose link does not follow, and why; nil when the chain holds.
    public var firstBroken: Broken?

    public struct Broken: Sendable, Hashable, Codable {
        public var id: Int64
        public var reason: String

        public init(id: Int64, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    public init(log: ChainedLog, anchorID: Int64, checked: Int, headID: Int64, head: String, firstBroken: Broken?) {
        self.log = log
        self.anchorID = anchorID
        self.checked = checked
        self.headID = headID
        self.head = head
        self.firstBroken = firstBroken
    }

    public var holds: Bool { firstBroken == nil }
}

/// Checks a log's entries one by one, in id order, against their stored links.
public struct ChainWalk: Sendable {
    let key: ChainKey
    let state: LogChainState
    private var previous: [UInt8]
    private var previousID: Int64
    private(set) var checked = 0
    private(set) var broken: LogVerification.Broken?

    public init(key: ChainKey, state: LogChainState) {
        self.key = key
        self.state = state
        previous = state.anchor
        previousID = state.anchorID
    }

    /// The last entry that followed, and its link (the anchor before any entry).
    public var last: (id: Int64, link: [UInt8]) { (previousID, previous) }
    /// The first entry that did not follow, nil while the chain holds.
    public var brokenEntry: LogVerification.Broken? { broken }
    public var checkedCount: Int { checked }

    /// Checks the next entry; false once the chain is broken (the walk may stop).
    public mutating func check(id: Int64, entry: [UInt8], stored: [UInt8]?) -> Bool {
        guard broken == nil else { return false }
        checked += 1
        let expected = key.link(after: previous, entry: entry)
        guard let stored, stored == expected else {
            broken = .init(id: id, reason: stored == nil
                           ? "entry \(id) has no link: written outside the server, or its link was erased"
                           : "entry \(id) does not follow entry \(previousID): it was edited, or an entry before it was inserted or deleted")
            return false
        }
        previous = stored
        previousID = id
        return true
    }

    public func finish() -> LogVerification {
        var broken = self.broken
        if broken == nil, previous != state.head || previousID != state.headID {
            broken = .init(id: previousID, reason: previousID < state.headID
                           ? "the log ends at entry \(previousID), but its recorded head is entry \(state.headID): entries were deleted from its end"
                           : "the log's recorded head (entry \(state.headID)) does not match its last entry \(previousID)")
        }
        return LogVerification(log: state.log, anchorID: state.anchorID, checked: checked, headID: previousID,
                               head: previous.map { String($0, radix: 16).leftPadded(2) }.joined(), firstBroken: broken)
    }
}

/// A store whose audit and security logs are chained.
public protocol ChainedLogStore: Sendable {
    /// Where the chain of `log` starts and ends.
    func chainState(_ log: ChainedLog) async throws -> LogChainState
    /// Walks `log` from its anchor to its head. - Complexity: O(entries after the anchor).
    func verify(_ log: ChainedLog) async throws -> LogVerification
}

fileprivate extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
