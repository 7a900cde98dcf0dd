import Foundation
import GRDB
import Synchronization

/// Copies the WAL into the database file from a connection of its own, every
/// `interval`, so the pool's writer — on which every push waits — does not.
///
/// SQLite's default checkpoints in the commit that takes the WAL past 1,000 pages: that commit's
/// push pays for copying everyone's pages (~10 % of the writer's time during an ingest). Here the
/// writer keeps an automatic checkpoint only as a backstop (`backstopPages`), for a checkpointer
/// that falls behind. A checkpoint is `PASSIVE`: it copies what no reader still needs and never
/// waits for or blocks the writer or a reader. Durability does not change: a commit is durable
/// in the WAL (`synchronous = FULL`), and the checkpoint syncs the file before the WAL is reused.
final class WALCheckpointer: Sendable {
    /// The writer's own automatic checkpoint, in pages (64 MB of WAL).
    static let backstopPages = 16_384
    private let connection: DatabaseQueue
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(path: String, busyTimeout: Double, interval: Duration = .milliseconds(100)) throws {
        var config = Configuration()
        config.label = "doorstep-server-checkpointer"
        config.busyMode = .timeout(busyTimeout)
        connection = try DatabaseQueue(path: path, configuration: config)
        let task = Task.detached { [weak self] in
            while true {
                try? await Task.sleep(for: interval)
                // Stopped while asleep: the connection may be closed already.
                guard !Task.isCancelled, let self else { return }
                await self.checkpoint()
            }
        }
        loop.withLock { $0 = task }
    }

    /// One passive checkpoint; a failure (a busy lock, a full disk) is left to the next one or to
    /// the writer's backstop, which report the same condition to the push that meets it.
    func checkpoint() async {
        _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// Stops the loop and closes the connection (before the pool closes, so the last connection
    /// to close is the pool's, which checkpoints and removes the WAL as SQLite does).
    func stop() throws {
        loop.withLock { $0?.cancel(); $0 = nil }
        try connection.close()
    }

    deinit {
        loop.withLock { $0?.cancel() }
    }
}
