import Synchronization

/// Serializes work on one attachment's bytes: two requests for the same hash (one device
/// retrying, or two devices attaching the same file) take turns; other hashes go on. Waiters
/// suspend, no thread blocks.
final class PerHashLock: Sendable {
    /// The hashes held, each with the tasks waiting for it, first come first.
    private let held = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    func withLock<T: Sendable>(_ hash: String, _ body: () async throws -> T) async throws -> T {
        await acquire(hash)
        defer { release(hash) }
        return try await body()
    }

    private func acquire(_ hash: String) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let free = held.withLock { held -> Bool in
                guard held[hash] != nil else {
                    held[hash] = []
                    return true
                }
                held[hash]!.append(waiter)
                return false
            }
            if free { waiter.resume() }
        }
    }

    /// Hands the hash to the first waiter, or frees it.
    private func release(_ hash: String) {
        let next = held.withLock { held -> CheckedContinuation<Void, Never>? in
            guard var waiters = held[hash], !waiters.isEmpty else {
                held[hash] = nil
                return nil
            }
            let first = waiters.removeFirst()
            held[hash] = waiters
            return first
        }
        next?.resume()
    }
}
