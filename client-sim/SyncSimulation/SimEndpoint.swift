import Foundation
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import Synchronization

/// How simulated devices reach the server: in process (the engine called directly, as an HTTP
/// server would call it) or over real HTTP on loopback (`SimHTTPEndpoint`).
public protocol SimEndpoint: Sendable {
    /// The server learns a device's worker and enrolment, or a worker's new assignment.
    func register(_ context: DeviceContext) async throws
    /// One request body in, one response body out, errors as the HTTP API answers them.
    func serve(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8]
    /// The server's store was closed and reopened: serve from `SimServer.current` from now on.
    func serverRestarted() async throws
    func close() async throws
}

public enum SimTransport: String, Sendable, CaseIterable {
    case inProcess = "in-process"
    case http
}

/// The engine called directly; tokens are a table from device id to the server's view of it.
final class InProcessEndpoint: SimEndpoint {
    let server: SimServer
    let clock: SimClock
    private let contexts = Mutex<[String: DeviceContext]>([:])

    init(server: SimServer, clock: SimClock) {
        self.server = server
        self.clock = clock
    }

    func register(_ context: DeviceContext) async throws { contexts.withLock { $0[context.deviceID] = context } }
    func serverRestarted() async throws {}
    func close() async throws {}

    func serve(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8] {
        guard let context = contexts.withLock({ $0[deviceID] }) else { throw TransportError(.refused(status: 401, code: "revoked"), "\(deviceID) is not enrolled") }
        let request: SyncRequest
        do { request = try SyncCodec.decodeRequest(body) } catch {
            throw TransportError(.refused(status: 400, code: error.code.rawValue), error.message)
        }
        do {
            let response = try await server.current.sync(request, device: context, now: clock.milliseconds)
            return SyncCodec.encodeResponse(response)
        } catch let e as SyncEngineError {
            throw TransportError(.refused(status: e.code == .storage ? 500 : 400, code: e.code.rawValue), e.message)
        } catch {
            throw TransportError(.refused(status: 500, code: "internal"), "\(error)")
        }
    }
}
