import FieldModel

/// Which record a change touches: its collection, id and village scope.
public struct RecordKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let collection: RecordCollection
    public let id: RecordID
    public let scope: VillageCode

    public init(_ collection: RecordCollection, _ id: RecordID, scope: VillageCode) {
        self.collection = collection
        self.id = id
        self.scope = scope
    }

    public var description: String { "\(collection.name)/\(id)@\(scope)" }
    public static func < (a: RecordKey, b: RecordKey) -> Bool { (a.collection.rawValue, a.id) < (b.collection.rawValue, b.id) }
}

/// One write, as it is recorded in the outbox, sent, merged and audited.
public struct Change: Sendable, Hashable, CustomStringConvertible {
    public let dot: Dot
    public let record: RecordKey
    public let operation: Operation
    /// The record's version vector as the writer saw it: what this write supersedes.
    public let context: VersionVector
    public let hlc: HLCTimestamp
    public let author: WorkerID
    public let schemaVersion: UInt32

    /// What a change does to its record.
    public enum Operation: Sendable, Hashable {
        /// Creates the record with every field's first value. Immutable records are only ever created.
        case create(FieldValues)
        /// Writes one field (policy `review` or `lww`).
        case set(FieldID, FieldValue)
        /// Moves a workflow field from the value the writer saw to the next step.
        case transition(FieldID, from: FieldValue, to: FieldValue)
        /// Deletes the record (rare: members leave by a status change).
        case delete

        public var field: FieldID? {
            switch self {
            case .set(let f, _), .transition(let f, _, _): f
            case .create, .delete: nil
            }
        }
    }

    public init(dot: Dot, record: RecordKey, operation: Operation, context: VersionVector,
                hlc: HLCTimestamp, author: WorkerID, schemaVersion: UInt32 = Schema.version) {
        self.dot = dot
        self.record = record
        self.operation = operation
        self.context = context
        self.hlc = hlc
        self.author = author
        self.schemaVersion = schemaVersion
    }

    public var description: String {
        let op: String = switch operation {
        case .create(let v): "create(\(v.count) fields)"
        case .set(let f, let v): "set(\(f)=\(v))"
        case .transition(let f, let a, let b): "transition(\(f): \(a)→\(b))"
        case .delete: "delete"
        }
        return "\(dot) \(record) \(op) ctx=\(context) hlc=\(hlc) by \(author)"
    }
}
