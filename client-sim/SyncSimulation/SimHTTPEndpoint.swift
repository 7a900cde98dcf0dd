import FieldModel
import Foundation
import ServerApp
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import Synchronization

/// The simulated server behind a real HTTP server on loopback: requests travel as the devices'
/// would (deflated bodies, bearer tokens, the API's limits and error statuses), through
/// `HTTPTransport`. Devices hold real tokens from the directory; a reassignment updates the
/// worker there; a server restart stops the HTTP server and starts a new one on the reopened store.
final class SimHTTPEndpoint: SimEndpoint {
    let server: SimServer
    let clock: SimClock
    private let state: Mutex<State>

    struct State {
        var running: RunningServer
        var tokens: [String: String] = [:]
    }

    init(server: SimServer, clock: SimClock) async throws {
        self.server = server
        self.clock = clock
        state = Mutex(State(running: try await Self.start(server, clock)))
    }

    /// The server as `serve` builds it, over the simulation's store and clock; the simulation
    /// purges and restarts it itself.
    static func start(_ server: SimServer, _ clock: SimClock) async throws -> RunningServer {
        guard let store = server.current.store as? any ServerStore else {
            throw SimulationError(.setup, "the simulated server's store keeps no directory or ops figures")
        }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = URL(fileURLWithPath: server.path).deletingLastPathComponent().path
        configuration.port = 0
        configuration.engine = server.configuration
        configuration.limits.deviceBurst = 1_000_000  // the simulation's devices sync far faster than people do
        configuration.retention.intervalHours = nil  // the simulation runs the retention at its own instants
        return try await buildApplication(configuration, store: store, clock: { clock.milliseconds }, logger: .silent).start()
    }

    var directory: any DirectoryStore { server.current.store as! any DirectoryStore }

    func register(_ context: DeviceContext) async throws {
        let now = clock.milliseconds
        if try await directory.worker(context.worker.id) == nil {
            try await directory.insertWorker(context.worker, at: now)
        } else {
            try await directory.updateWorker(context.worker, at: now)
        }
        guard state.withLock({ $0.tokens[context.deviceID] }) == nil else { return }
        let token = Secrets.token()
        try await directory.insertCredential(Credential(id: context.deviceID, kind: .device, worker: context.worker.id, replica: context.replica,
                                                        name: "simulated \(context.deviceID)", tokenHash: TokenHash(of: token),
                                                        issuedAtMilliseconds: now))
        state.withLock { $0.tokens[context.deviceID] = token }
    }

    func serve(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8] {
        let (url, token) = state.withLock { ($0.running.url, $0.tokens[deviceID]) }
        guard let token else { throw TransportError(.refused(status: 401, code: "unauthenticated"), "\(deviceID) holds no token") }
        return try await HTTPTransport(server: url, token: token).exchange(body)
    }

    func serverRestarted() async throws {
        let old = state.withLock { $0.running }
        await old.stop()
        let fresh = try await Self.start(server, clock)
        state.withLock { $0.running = fresh }
    }

    func close() async throws {
        await state.withLock { $0.running }.stop()
    }
}
