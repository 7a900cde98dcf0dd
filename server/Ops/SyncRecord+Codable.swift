import FieldModel

/// A sync record as JSON (`GET /v1/ops/devices/{id}/history`): the worker as its id string, as
/// every other document names a worker, not as a nested object.
extension SyncRecord {
    enum CodingKeys: String, CodingKey {
        case deviceID, worker, atMilliseconds, durationMilliseconds, pushed, rejected, pulled, bytesIn, bytesOut, result, reason, health, overBudget
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(deviceID: try c.decode(String.self, forKey: .deviceID), worker: WorkerID(unchecked: try c.decode(String.self, forKey: .worker)),
                  atMilliseconds: try c.decode(Int64.self, forKey: .atMilliseconds),
                  durationMilliseconds: try c.decode(Int64.self, forKey: .durationMilliseconds), pushed: try c.decode(Int.self, forKey: .pushed),
                  rejected: try c.decode(Int.self, forKey: .rejected), pulled: try c.decode(Int.self, forKey: .pulled),
                  bytesIn: try c.decode(Int.self, forKey: .bytesIn), bytesOut: try c.decode(Int.self, forKey: .bytesOut),
                  result: try c.decode(String.self, forKey: .result), reason: try c.decodeIfPresent(String.self, forKey: .reason),
                  health: try c.decodeIfPresent(Health.self, forKey: .health), overBudget: try c.decode(Bool.self, forKey: .overBudget))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deviceID, forKey: .deviceID)
        try c.encode(worker.rawValue, forKey: .worker)
        try c.encode(atMilliseconds, forKey: .atMilliseconds)
        try c.encode(durationMilliseconds, forKey: .durationMilliseconds)
        try c.encode(pushed, forKey: .pushed)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(pulled, forKey: .pulled)
        try c.encode(bytesIn, forKey: .bytesIn)
        try c.encode(bytesOut, forKey: .bytesOut)
        try c.encode(result, forKey: .result)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(health, forKey: .health)
        try c.encode(overBudget, forKey: .overBudget)
    }
}
