import AsyncHTTPClient
import DataProtection
import FieldModel
import Foundation
import NIOCore
import Replica
import SyncClient
import SyncCore
import SyncProtocol

/// A device's enrolment: it redeems the one-time code an administrator gave its worker and
/// receives its bearer token and the worker it serves.
public enum DeviceEnrolment {
    public struct Result: Sendable, Hashable {
        public let token: String
        public let identity: DeviceIdentity
        /// The server's clock when it answered (nil from an older server).
        public let serverTimeMilliseconds: Int64?

        /// The device's replica at `path` (created, or reopened after a re-enrolment, keeping
        /// its outbox), sealed under a key ring in `keys` (by default beside the file), its clock
        /// corrected by the server's before any write.
        public func openReplica(at path: String, keys: (any KeyStore)? = nil, wallClock: @escaping @Sendable () -> Int64) throws(ReplicaError) -> Replica {
            let replica = try Replica(path: path, identity: identity, keys: keys, wallClock: wallClock)
            if let serverTimeMilliseconds { try replica.correctClock(serverMilliseconds: serverTimeMilliseconds) }
            return replica
        }
    }

    /// Enrols `replica` (the id the device drew at install) with `code`; over plain `http` only
    /// to loopback unless `allowInsecureHTTP` (`ServerAddressPolicy`).
    public static func enrol(server: URL, code: String, replica: ReplicaID, deviceName: String,
                             client: HTTPClient = HTTPTransport.sharedClient, allowInsecureHTTP: Bool = false) async throws(TransportError) -> Result {
        try ServerAddressPolicy.check(server, allowInsecureHTTP: allowInsecureHTTP)
        var request = HTTPClientRequest(url: server.appendingPathComponent(HTTPAPI.enrolPath).absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: Data
        do { body = try JSONEncoder().encode(EnrolmentRequest(code: code, replica: replica, deviceName: deviceName)) } catch {
            throw TransportError(.refused(status: 0, code: "invalid_argument"), "cannot encode the enrolment: \(error)")
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let (status, headers, bytes) = try await APICall.send(request, client: client, timeout: .seconds(30), maxResponseBytes: 1 << 20)
        guard status == 201 else { throw APICall.failure(status: status, headers: headers, body: bytes) }
        do {
            let document = try JSONDecoder().decode(EnrolmentResponse.self, from: Data(bytes))
            guard document.replica == replica.description else {
                throw TransportError(.refused(status: status, code: "bad_response"), "the server enrolled replica \(document.replica), not \(replica)")
            }
            let worker = try document.worker.worker()
            return Result(token: document.token, identity: DeviceIdentity(replica: replica, worker: worker, deviceID: document.deviceID),
                          serverTimeMilliseconds: document.serverTimeMilliseconds)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.refused(status: status, code: "bad_response"), "an enrolment response that does not fit: \(error)")
        }
    }
}
