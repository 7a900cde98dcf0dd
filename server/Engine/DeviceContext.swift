import FieldModel
import SyncCore

/// Who is syncing, as the device's token says: the worker (with the role and assignment the
/// server holds now, not what the device last knew), the enrolled device and its replica.
public struct DeviceContext: Sendable, Hashable {
    public var worker: Worker
    public var deviceID: String
    public var replica: ReplicaID

    public init(worker: Worker, deviceID: String, replica: ReplicaID) {
        self.worker = worker
        self.deviceID = deviceID
        self.replica = replica
    }
}
