import FieldModel
import ServerEngine

/// Who a request is from, as its bearer token says, read from the directory on this request:
/// the credential and the worker with the role and assignment they hold now.
public struct Principal: Sendable, Hashable {
    public let credential: Credential
    public let worker: Worker

    public init(credential: Credential, worker: Worker) {
        self.credential = credential
        self.worker = worker
    }

    public var isAdministrator: Bool { worker.role == .administrator && credential.kind == .administrator }

    /// The engine's view of a device: nil for a credential with no replica (an administrator's).
    public var device: DeviceContext? {
        credential.replica.map { DeviceContext(worker: worker, deviceID: credential.id, replica: $0) }
    }
}
