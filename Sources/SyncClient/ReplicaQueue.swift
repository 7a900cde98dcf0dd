import Dispatch
import Replica

/// A sync's (or an evidence upload's) work on the replica, on a queue of its own. GRDB's calls hold the calling thread
/// until SQLite is done (a page of hundreds of rows, a commit with `synchronous=FULL`, a wait
/// for another connection's lock), and Swift concurrency shares as many threads as there are
/// cores: a sync waiting on one of them stalls every other task of the app. Here the task is
/// suspended instead, and the replica's public API stays synchronous for the app's own writes.
public struct ReplicaQueue: Sendable {
    public let replica: Replica
    private let queue = DispatchQueue(label: "doorstep.sync.replica", qos: .utility)

    public init(_ replica: Replica) { self.replica = replica }

    public func run<T: Sendable>(_ work: @escaping @Sendable (Replica) throws(ReplicaError) -> T) async throws(ReplicaError) -> T {
        let replica = self.replica
        let result: Result<T, ReplicaError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(ReplicaError) -> T in try work(replica) }) }
        }
        return try result.get()
    }
}
