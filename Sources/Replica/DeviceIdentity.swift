import FieldModel
import SyncCore

/// Who a device is: its replica id, the worker it was enrolled for, and that worker's scope.
///
/// Stored in the replica at enrolment; the assignment is refreshed when the server reassigns.
public struct DeviceIdentity: Sendable, Hashable, Codable {
    public var replica: ReplicaID
    public var worker: Worker
    public var deviceID: String

    public init(replica: ReplicaID, worker: Worker, deviceID: String) {
        self.replica = replica
        self.worker = worker
        self.deviceID = deviceID
    }

    public var jurisdiction: Jurisdiction { Jurisdiction(worker) }
}
