import Synchronization

/// Token buckets by key: `burst` tokens at once, refilled at `perSecond`; a token is a request,
/// or a byte of an upload. A refused request learns how many whole seconds until its tokens are
/// back (`Retry-After`).
///
/// In memory, per server instance: behind a load balancer each instance limits on its own.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updatedMilliseconds: Int64
    }

    public let burst: Double
    public let perSecond: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Buckets kept at most; full buckets are dropped first when the map grows past it.
    private let maxBuckets = 100_000

    public init(burst: Double, perSecond: Double) {
        precondition(burst >= 1 && perSecond > 0, "a rate limit needs a burst ≥ 1 and a positive rate")
        self.burst = burst
        self.perSecond = perSecond
    }

    /// Takes `cost` tokens (one request, or a chunk's bytes; at most the burst) for `key` at
    /// `now` (ms). Returns nil when allowed, else the whole seconds until they are back.
    public func take(_ key: String, cost: Double = 1, now: Int64) -> Int? {
        let cost = min(max(cost, 0), burst)
        return buckets.withLock { buckets -> Int? in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updatedMilliseconds: now)
            let elapsed = Double(max(0, now - bucket.updatedMilliseconds)) / 1000
            bucket.tokens = min(burst, bucket.tokens + elapsed * perSecond)
            bucket.updatedMilliseconds = max(bucket.updatedMilliseconds, now)
            defer {
                buckets[key] = bucket
                if buckets.count > maxBuckets { prune(&buckets, now: now) }
            }
            if bucket.tokens >= cost {
                bucket.tokens -= cost
                return nil
            }
            return max(1, Int(((cost - bucket.tokens) / perSecond).rounded(.up)))
        }
    }

    private func prune(_ buckets: inout [String: Bucket], now: Int64) {
        let refillMilliseconds = Int64(burst / perSecond * 1000)
        buckets = buckets.filter { now - $0.value.updatedMilliseconds < refillMilliseconds }
    }
}
