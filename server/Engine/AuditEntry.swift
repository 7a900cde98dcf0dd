import FieldModel
import SyncCore

/// One accepted change, as the append-only, hash-chained audit log keeps it: who, which device,
/// when, which record and what kind of write. Never a field value: values may be ID-card numbers, incomes
/// or names, and the audit log outlives every record it mentions.
public struct AuditEntry: Sendable, Hashable {
    /// Server time of the push, ms since the epoch.
    public var atMilliseconds: Int64
    public var worker: WorkerID
    public var deviceID: String
    public var dot: Dot
    public var record: RecordKey
    public var action: Action
    public var outcome: Outcome

    public enum Action: Sendable, Hashable {
        case create
        case set(FieldID)
        case transition(FieldID)
        case delete

        public init(_ operation: Change.Operation) {
            switch operation {
            case .create: self = .create
            case .set(let f, _): self = .set(f)
            case .transition(let f, _, _): self = .transition(f)
            case .delete: self = .delete
            }
        }

        /// `create`, `set`, `transition` or `delete`: the stored name.
        public var name: String {
            switch self {
            case .create: "create"
            case .set: "set"
            case .transition: "transition"
            case .delete: "delete"
            }
        }

        public var field: FieldID? {
            switch self {
            case .set(let f), .transition(let f): f
            case .create, .delete: nil
            }
        }

        /// Rebuilds an action from its stored name and field; nil for anything else.
        public init?(name: String, field: FieldID?) {
            switch (name, field) {
            case ("create", nil): self = .create
            case ("delete", nil): self = .delete
            case ("set", let f?): self = .set(f)
            case ("transition", let f?): self = .transition(f)
            default: return nil
            }
        }
    }

    public enum Outcome: String, Sendable, Hashable {
        case applied
        case superseded
    }

    /// The bytes the log chain commits to: every column in a fixed order.
    public var chainBytes: [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.signed(atMilliseconds)
        w.string(worker.rawValue)
        w.string(deviceID)
        w.varint(dot.replica.rawValue)
        w.varint(dot.counter)
        w.byte(record.collection.rawValue)
        w.recordID(record.id)
        w.varint(record.scope.rawValue)
        w.string(action.name)
        w.varint(action.field.map { UInt64($0.rawValue) + 1 } ?? 0)
        w.string(outcome.rawValue)
        return w.bytes
    }

    public init(atMilliseconds: Int64, worker: WorkerID, deviceID: String, dot: Dot, record: RecordKey,
                action: Action, outcome: Outcome) {
        self.atMilliseconds = atMilliseconds
        self.worker = worker
        self.deviceID = deviceID
        self.dot = dot
        self.record = record
        self.action = action
        self.outcome = outcome
    }
}
