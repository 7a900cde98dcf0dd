import FieldModel
import SyncClient
import Testing

/// The session state machine alone: told what happened, it answers what to do next.
@Suite("SyncSession")
struct SyncSessionTests {
    let v1 = VillageCode(uncheckedRawValue: 140_821_101_001)
    let v2 = VillageCode(uncheckedRawValue: 140_821_101_002)

    func configuration(base: Int64 = 1_000, cap: Int64 = 60_000, attempts: Int = 5) -> SyncSession.Configuration {
        var c = SyncSession.Configuration()
        c.baseBackoffMilliseconds = base
        c.maxBackoffMilliseconds = cap
        c.maxAttempts = attempts
        return c
    }

    @Test func aCleanExchangeSucceeds() {
        var session = SyncSession()
        #expect(session.start() == .send)
        #expect(session.applied(hasMore: false, mismatched: [], pending: 0) == .finish(.success))
        #expect(session.isFinished)
    }

    @Test(arguments: [(true, 0), (false, 3), (true, 7)])
    func moreToPullOrToPushSendsAgain(hasMore: Bool, pending: Int) {
        var session = SyncSession()
        _ = session.start()
        #expect(session.applied(hasMore: hasMore, mismatched: [], pending: pending) == .send)
        #expect(!session.isFinished)
        #expect(session.applied(hasMore: false, mismatched: [], pending: 0) == .finish(.success))
    }

    @Test func aMismatchRepairsOnceThenFails() {
        var session = SyncSession()
        _ = session.start()
        #expect(session.applied(hasMore: false, mismatched: [v1], pending: 0) == .repair([v1]))
        #expect(session.applied(hasMore: true, mismatched: [], pending: 0) == .send)
        // Another village may still be repaired once…
        #expect(session.applied(hasMore: false, mismatched: [v2], pending: 0) == .repair([v2]))
        // …but the same village mismatching again ends the session.
        let action = session.applied(hasMore: false, mismatched: [v1], pending: 0)
        guard case .finish(.failure(let code, let message)) = action else {
            Issue.record("expected a failure, got \(action)")
            return
        }
        #expect(code == "digest_mismatch")
        #expect(message.contains(v1.description))
        #expect(session.isFinished)
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999])
    func unreachableBacksOffExponentiallyWithJitterThenGoesOffline(jitter: Double) {
        let c = configuration(base: 1_000, cap: 60_000, attempts: 5)
        var session = SyncSession(configuration: c)
        _ = session.start()
        var waits: [Int64] = []
        for n in 1..<c.maxAttempts {
            guard case .wait(let ms) = session.failed(.unreachable("timeout"), jitter: jitter) else {
                Issue.record("attempt \(n) did not wait")
                return
            }
            let full = min(c.maxBackoffMilliseconds, c.baseBackoffMilliseconds << (n - 1))
            #expect(ms >= full / 2 && ms <= full, "attempt \(n): \(ms) ms outside [\(full / 2), \(full)]")
            waits.append(ms)
        }
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 < $1 }, "waits grow: \(waits)")
        let last = session.failed(.unreachable("timeout"), jitter: jitter)
        guard case .finish(.failure(let code, _)) = last else {
            Issue.record("expected offline after \(c.maxAttempts) attempts, got \(last)")
            return
        }
        #expect(code == "offline")
    }

    @Test func backoffIsCappedAtTheMaximum() {
        let c = configuration(base: 1_000, cap: 5_000, attempts: 12)
        var session = SyncSession(configuration: c)
        _ = session.start()
        var waits: [Int64] = []
        for _ in 1..<c.maxAttempts {
            if case .wait(let ms) = session.failed(.unreachable("timeout"), jitter: 0.999) { waits.append(ms) }
        }
        #expect(waits.count == c.maxAttempts - 1)
        #expect(waits.allSatisfy { $0 <= 5_000 })
        #expect(waits.suffix(5).allSatisfy { $0 >= 4_990 }, "capped waits stay near the cap: \(waits)")
    }

    @Test func aResponseResetsTheBackoff() {
        var session = SyncSession(configuration: configuration())
        _ = session.start()
        for _ in 0..<3 { _ = session.failed(.unreachable("timeout"), jitter: 0) }
        #expect(session.applied(hasMore: true, mismatched: [], pending: 0) == .send)
        #expect(session.failed(.unreachable("timeout"), jitter: 0) == .wait(milliseconds: 500), "back to the first step")
        for _ in 0..<3 { _ = session.failed(.unreachable("timeout"), jitter: 0) }
        #expect(!session.isFinished, "attempts are counted per exchange, not per session")
    }

    @Test(arguments: [1, 7, 120])
    func rateLimitedWaitsRetryAfter(seconds: Int) {
        var session = SyncSession(configuration: configuration())
        _ = session.start()
        #expect(session.failed(TransportError(.rateLimited(retryAfterSeconds: seconds), "slow down"), jitter: 0.9)
                == .wait(milliseconds: Int64(seconds) * 1_000))
    }

    @Test func rateLimitedForeverGivesUp() {
        var session = SyncSession(configuration: configuration(attempts: 3))
        _ = session.start()
        let limited = TransportError(.rateLimited(retryAfterSeconds: 2), "slow down")
        #expect(session.failed(limited, jitter: 0) == .wait(milliseconds: 2_000))
        #expect(session.failed(limited, jitter: 0) == .wait(milliseconds: 2_000))
        guard case .finish(.failure(let code, _)) = session.failed(limited, jitter: 0) else {
            Issue.record("expected to give up")
            return
        }
        #expect(code == "rate_limited")
    }

    @Test(arguments: [(401, "revoked"), (426, "schema_too_new"), (403, "replica_mismatch"), (409, "scope_blocked")])
    func refusedFailsWithTheServersCode(status: Int, code: String) {
        var session = SyncSession(configuration: configuration())
        _ = session.start()
        let action = session.failed(TransportError(.refused(status: status, code: code), "no"), jitter: 0.5)
        guard case .finish(.failure(let got, let message)) = action else {
            Issue.record("expected a failure, got \(action)")
            return
        }
        #expect(got == code)
        #expect(message.contains(String(status)))
        #expect(session.isFinished)
    }

    @Test func aServerThatNeverFinishesIsCutOff() {
        var c = configuration()
        c.maxRounds = 4
        var session = SyncSession(configuration: c)
        _ = session.start()
        for _ in 0..<3 { #expect(session.applied(hasMore: true, mismatched: [], pending: 0) == .send) }
        guard case .finish(.failure(let code, _)) = session.applied(hasMore: true, mismatched: [], pending: 0) else {
            Issue.record("expected the round limit")
            return
        }
        #expect(code == "too_many_rounds")
    }

    @Test func brokenFailsAtOnce() {
        var session = SyncSession()
        _ = session.start()
        #expect(session.broken(code: "storage", message: "disk full") == .finish(.failure(code: "storage", message: "disk full")))
    }
}
