import Synchronization

/// Several servers sharing one database, tried in turn: an exchange that finds its server
/// unreachable, or answered by a failing one (5xx), goes at once to the next.
///
/// Safe because an exchange is idempotent: a batch the dead server committed before it died is
/// acknowledged again as a duplicate by the next one, never applied twice (SPEC §5). A refusal
/// (4xx) or a rate limit is the shared answer of every server and comes back as it is.
public final class FailoverTransport: Transport {
    private let servers: [any Transport]
    private let availability: ServerAvailability
    private let state: Mutex<(current: Int, failovers: Int)>

    /// `servers` in the order to try them, starting at `start` (mod their count) or, when that
    /// one is down by `availability`, at the next one that is not.
    public init(_ servers: [any Transport], start: Int = 0, availability: ServerAvailability = ServerAvailability()) {
        precondition(!servers.isEmpty, "a failover transport needs at least one server")
        self.servers = servers
        self.availability = availability
        let first = ((start % servers.count) + servers.count) % servers.count
        state = Mutex((current: availability.firstUp(from: first, count: servers.count), failovers: 0))
    }

    /// The server the last exchange went to (or the next one will), as an index into `servers`.
    public var current: Int { state.withLock { $0.current } }
    /// How many times an exchange moved on to the next server.
    public var failovers: Int { state.withLock { $0.failovers } }

    public func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8] {
        var lastError: TransportError?
        for _ in 0..<servers.count {
            let index = current
            do {
                return try await servers[index].exchange(request)
            } catch {
                guard Self.isServerDown(error) else { throw error }
                lastError = error
                availability.markDown(index)
                let next = availability.firstUp(from: (index + 1) % servers.count, count: servers.count)
                state.withLock { $0 = (current: next, failovers: $0.failovers + (servers.count > 1 ? 1 : 0)) }
            }
        }
        throw lastError!
    }

    static func isServerDown(_ error: TransportError) -> Bool {
        switch error.kind {
        case .unreachable: true
        case .refused(let status, _): status >= 500
        case .rateLimited: false
        }
    }
}

/// Which servers were found down lately, kept across exchanges and sessions: a server that was
/// unreachable is skipped for `downMilliseconds` while another is up, so every sync does not
/// wait out a dead server's connection timeout again.
public final class ServerAvailability: Sendable {
    private let downMilliseconds: Int64
    private let now: @Sendable () -> Int64
    private let downUntil = Mutex<[Int: Int64]>([:])

    /// `now`: a clock in milliseconds (injected, as the session's is). Without one, a server
    /// found down stays down for the life of this value (one session, say).
    public init(downMilliseconds: Int64 = 60_000, now: @escaping @Sendable () -> Int64 = { 0 }) {
        self.downMilliseconds = downMilliseconds
        self.now = now
    }

    func markDown(_ server: Int) {
        let until = now() + downMilliseconds
        downUntil.withLock { $0[server] = until }
    }

    /// The first server from `start` (wrapping) not marked down now; `start` when all are.
    func firstUp(from start: Int, count: Int) -> Int {
        let t = now()
        return downUntil.withLock { down in
            (0..<count).map { (start + $0) % count }.first { (down[$0] ?? .min) <= t } ?? start
        }
    }
}
