import FieldModel

/// The sync session as a state machine without I/O: it is told what happened and answers what
/// to do next. `SyncClient` drives it over a `Transport` and a `Replica`.
///
/// A session ends in success only when nothing is left unanswered in the outbox, the pull has
/// reached its last page and every village's digest matched (after at most one repair each).
public struct SyncSession: Sendable {
    public struct Configuration: Sendable {
        /// Attempts per exchange before the session gives up as offline.
        public var maxAttempts = 5
        public var baseBackoffMilliseconds: Int64 = 1_000
        public var maxBackoffMilliseconds: Int64 = 60_000
        /// Exchanges per session, a guard against a server that never says "done".
        public var maxRounds = 10_000
        public init() {}
    }

    public enum Action: Sendable, Hashable {
        /// Build the next request from the replica and send it.
        case send
        /// Wait, then send again (backoff with jitter, or the server's Retry-After).
        case wait(milliseconds: Int64)
        /// Forget these villages' confirmed state and pull them from zero, then send.
        case repair([VillageCode])
        case finish(Outcome)
    }

    public enum Outcome: Sendable, Hashable {
        case success
        case failure(code: String, message: String)
    }

    public let configuration: Configuration
    private var attempt = 0
    private var rounds = 0
    private var repaired = Set<VillageCode>()
    private var done = false

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public mutating func start() -> Action { .send }

    /// A response was applied. `pending` is what the outbox still holds unacknowledged;
    /// `retired`: the server took the changes of a device revoked as retired, and the next
    /// exchange, once nothing is pending, is answered with the instruction to wipe.
    public mutating func applied(hasMore: Bool, mismatched: [VillageCode], pending: Int, retired: Bool = false) -> Action {
        attempt = 0
        rounds += 1
        guard rounds < configuration.maxRounds else {
            return finish(.failure(code: "too_many_rounds", message: "\(rounds) exchanges without reaching the end"))
        }
        if !mismatched.isEmpty {
            let again = mismatched.filter { repaired.contains($0) }
            if !again.isEmpty {
                return finish(.failure(code: "digest_mismatch", message: "villages \(again.map(\.description).joined(separator: ", ")) still differ from the server after a repair"))
            }
            repaired.formUnion(mismatched)
            return .repair(mismatched)
        }
        if hasMore || pending > 0 || retired { return .send }
        return finish(.success)
    }

    /// An exchange failed. `jitter` in [0, 1) spreads retries of many devices apart.
    public mutating func failed(_ error: TransportError, jitter: Double) -> Action {
        switch error.kind {
        case .refused(let status, let code):
            return finish(.failure(code: code, message: "\(status): \(error.message)"))
        case .rateLimited(let seconds):
            attempt += 1
            guard attempt < configuration.maxAttempts else { return finish(.failure(code: "rate_limited", message: error.message)) }
            return .wait(milliseconds: Int64(max(1, seconds)) * 1_000)
        case .unreachable:
            attempt += 1
            guard attempt < configuration.maxAttempts else { return finish(.failure(code: "offline", message: error.message)) }
            let exponential = min(configuration.maxBackoffMilliseconds, configuration.baseBackoffMilliseconds << min(attempt - 1, 20))
            return .wait(milliseconds: Int64(Double(exponential) * (0.5 + 0.5 * jitter)))
        }
    }

    /// The response could not be decoded or applied: not something a retry fixes.
    public mutating func broken(code: String, message: String) -> Action { finish(.failure(code: code, message: message)) }

    private mutating func finish(_ outcome: Outcome) -> Action {
        done = true
        return .finish(outcome)
    }

    public var isFinished: Bool { done }
}
