import PostgresNIO
import ServerEngine
import Synchronization

/// Fails the operation in flight on a pooled connection when that connection closes: with
/// postgres-nio 1.33, a statement sent as the network closed the connection was at times never
/// answered, nor failed (a database failover; PostgresConnectionFaultTests plays it).
///
/// One close callback per connection, registered the first time an operation runs on it, not
/// one per operation: a future's callbacks cannot be removed, and a connection that lives for
/// hours would pile up one for every operation it served.
final class ConnectionWatch: Sendable {
    private struct State {
        var watched = Set<ObjectIdentifier>()
        var running: [ObjectIdentifier: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    /// Runs `body` on `connection`; if the connection closes first, the caller gets a storage
    /// error naming `operation` at once.
    func run<T: Sendable>(_ operation: String, on connection: PostgresConnection,
                          _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let id = ObjectIdentifier(connection)
        return try await withInterruptions({ race in
            let interrupt: @Sendable () -> Void = {
                race.finish(.failure(SyncEngineError(.storage, "\(operation) failed: the connection to the database closed under it")))
            }
            let first = state.withLock { s in
                s.running[id] = interrupt
                return s.watched.insert(id).inserted
            }
            if first {
                connection.closeFuture.whenComplete { [self] _ in
                    let interrupt = state.withLock { s in
                        s.watched.remove(id)
                        return s.running.removeValue(forKey: id)
                    }
                    interrupt?()
                }
            }
            return { [self] in _ = state.withLock { $0.running.removeValue(forKey: id) } }
        }) { try await body(connection) }
    }

    /// Connections watched and operations running on them (a test's view).
    var counts: (watched: Int, running: Int) {
        state.withLock { ($0.watched.count, $0.running.count) }
    }
}
