import FieldModel
import Foundation
import Replica
import SyncCore

/// One simulated field device: a real replica file, a clock off by `skew`, and the ledger of
/// every write it committed (what the no-loss check holds the system to).
struct SimDevice {
    let deviceID: String
    let identity: DeviceIdentity
    let path: String
    let skew: Int64
    var replica: Replica
    var ledger: [Change] = []

    init(deviceID: String, identity: DeviceIdentity, path: String, skew: Int64, clock: SimClock) throws {
        self.deviceID = deviceID
        self.identity = identity
        self.path = path
        self.skew = skew
        replica = try Replica(path: path, identity: identity, wallClock: SimDevice.wallClock(clock, skew))
    }

    static func wallClock(_ clock: SimClock, _ skew: Int64) -> @Sendable () -> Int64 {
        { clock.milliseconds &+ skew }
    }

    /// A crash and restart: the process dies (nothing uncommitted survives, and every write is
    /// committed before it returns) and the app opens the same file again.
    mutating func crashAndRestart(clock: SimClock) throws {
        try replica.close()
        replica = try Replica(path: path, identity: identity, wallClock: SimDevice.wallClock(clock, skew))
    }
}
