import FieldModel
import Synchronization

/// Failed authentications and refused enrolments, tallied in memory by client address and
/// minute and written as one security-log entry each (with its `count`) once the minute is
/// over: a flood of bad tokens costs no durable write per request, and the log still says who
/// tried, when and how often.
///
/// Memory is bounded: past `maxKeys` distinct (kind, address, minute) tallies, further
/// addresses of the same minute are tallied together under the address `*`.
public final class SecurityLogCoalescer: Sendable {
    struct Key: Hashable {
        let kind: SecurityEvent.Kind
        let address: String
        let minute: Int64
    }

    struct Tally {
        var count = 0
        var reasons: [String: Int] = [:]
        var first: String
    }

    private let tallies = Mutex<[Key: Tally]>([:])
    let maxKeys: Int

    public init(maxKeys: Int = 10_000) { self.maxKeys = maxKeys }

    /// Counts one refused request from `address` at `now` (ms): `reason` is its stable code,
    /// `detail` what the first one of its minute said.
    public func record(_ kind: SecurityEvent.Kind, address: String, reason: String, detail: String, now: Int64) {
        let minute = now - now % 60_000
        tallies.withLock { tallies in
            var key = Key(kind: kind, address: address, minute: minute)
            if tallies[key] == nil, tallies.count >= maxKeys { key = Key(kind: kind, address: "*", minute: minute) }
            var tally = tallies[key] ?? Tally(first: detail)
            tally.count += 1
            tally.reasons[reason, default: 0] += 1
            tallies[key] = tally
        }
    }

    /// Removes and returns as events the tallies of minutes over by `now`; all of them when
    /// `now` is nil (at shutdown). Oldest first.
    public func drain(before now: Int64?) -> [SecurityEvent] {
        let taken: [(Key, Tally)] = tallies.withLock { tallies in
            let done = tallies.filter { now == nil || $0.key.minute + 60_000 <= now! }
            for key in done.keys { tallies[key] = nil }
            return Array(done)
        }
        return taken.sorted { ($0.0.minute, $0.0.address, $0.0.kind.rawValue) < ($1.0.minute, $1.0.address, $1.0.kind.rawValue) }.map { key, tally in
            let reasons = tally.reasons.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            return SecurityEvent(atMilliseconds: key.minute, kind: key.kind, actor: nil, credential: nil, subject: key.address,
                                 detail: "\(tally.count) in the minute from \(key.address) (\(reasons)); the first: \(tally.first)", count: tally.count)
        }
    }

    /// Tallies waiting to be written.
    public var pending: Int { tallies.withLock { $0.count } }
}
