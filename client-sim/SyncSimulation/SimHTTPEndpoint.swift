import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerOps
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

    static func start(_ server: SimServer, _ clock: SimClock) async throws -> RunningServer {
        guard let directory = server.current.store as? any DirectoryStore, let ops = server.current.store as? any OpsStore else {
            throw SimulationError("the simulated server's store keeps no directory or ops figures")
        }
        var limits = ServerLimits()
        limits.deviceBurst = 1_000_000  // the simulation's devices sync far faster than people do
        let http = DoorstepServer(engine: server.current, access: AccessControl(store: directory, serverReplica: server.configuration.serverReplica),
                                  ops: ops, limits: limits, clock: { clock.milliseconds })
        return try await RunningServer.start(http)
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
