import FieldModel
import SyncCore

/// A record to create from the server's replica: the roster import, and test fixtures.
public struct ImportRecord: Sendable, Hashable {
    public var key: RecordKey
    public var values: FieldValues

    public init(key: RecordKey, values: FieldValues) {
        self.key = key
        self.values = values
    }

    /// The create of a domain record (household, member, visit, …).
    public init<R: FieldRecord>(_ record: R) {
        self.init(key: RecordKey(R.collection, record.id, scope: record.village), values: record.fieldValues)
    }
}

/// What an import did: how many records it created and which it refused, and why.
public struct ImportResult: Sendable, Hashable {
    public var created = 0
    public var rejected: [Rejected] = []

    public struct Rejected: Sendable, Hashable {
        public let key: RecordKey
        public let reason: RejectionReason
        public let message: String
    }

    public init() {}
}

/// An all-or-nothing import that wrote nothing, because these records were refused.
public struct ImportRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public typealias Refusal = ImportResult.Rejected

    public let refusals: [Refusal]

    public var description: String {
        "\(refusals.count) records refused, nothing imported; first: \(refusals[0].key.collection.name) \(refusals[0].key.id) \(refusals[0].reason.rawValue): \(refusals[0].message)"
    }
}
