import Synchronization

/// Runs `body` in a task of its own and returns what it returns, unless something `arm` set up
/// interrupts it first (`race.finish` with an error): then the caller gets that error at once
/// and the task is cancelled and left to end. `arm` returns how to stand down once `body` ends.
///
/// Why a task of its own: a database call on a connection that was cut (a failover, a
/// partition) may not end, even when cancelled, and the caller (a group of pushes, the metrics
/// cache) must be answered anyway. What the abandoned task still does is harmless: a
/// transaction that commits late holds what a device will re-send and the server acknowledges
/// once.
func withInterruptions<T: Sendable>(_ arm: (Race<T>) -> @Sendable () -> Void,
                                    _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let standDown = arm(race)
            race.own(Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                standDown()
                race.finish(result)
            })
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// `body`, or the error `expired()` gives once `limit` has passed, whichever comes first. An
/// `expired()` of nil lets the deadline pass: `body` runs on to its end.
func withDeadline<T: Sendable>(_ limit: Duration, expired: @escaping @Sendable () -> (any Error)?,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withInterruptions({ race in
        let timer = Task {
            try await Task.sleep(for: limit)
            if let error = expired() { race.finish(.failure(error)) }
        }
        return { timer.cancel() }
    }, body)
}

/// Who answers the caller first, the work or what interrupts it: the continuation is resumed once.
final class Race<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?, cancelled: Bool)>((nil, nil, false))

    fileprivate func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    fileprivate func own(_ work: Task<Void, Never>) {
        let cancel = state.withLock { s -> Bool in
            s.work = work
            return s.cancelled || s.continuation == nil
        }
        if cancel { work.cancel() }
    }

    /// Answers the caller with `result` unless it was answered already; an error cancels the work.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, work) = state.withLock { s in
            defer { s.continuation = nil }
            return (s.continuation, s.work)
        }
        guard let continuation else { return }
        if case .failure = result { work?.cancel() }
        continuation.resume(with: result)
    }

    fileprivate func cancelWork() {
        let work = state.withLock { s in
            s.cancelled = true
            return s.work
        }
        work?.cancel()
    }
}
