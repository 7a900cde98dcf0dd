import FieldModel
import Replica
import SyncCore
import SyncProtocol

/// Another replica (the server's, or a second device's) making real changes with SyncCore's
/// merge, so that pages sent to the device hold states a server could hold.
struct OtherReplica {
    let replica: ReplicaID
    let author: WorkerID
    var counter: UInt64 = 0
    var hlcMilliseconds: Int64

    init(_ replica: ReplicaID = Fixture.serverReplica, author: WorkerID = WorkerID(unchecked: "admin-1"), at ms: Int64 = Fixture.now) {
        self.replica = replica
        self.author = author
        hlcMilliseconds = ms
    }

    mutating func change(_ key: RecordKey, _ operation: Change.Operation, seeing context: VersionVector) -> Change {
        counter += 1
        hlcMilliseconds += 1
        return Change(dot: Dot(replica, counter), record: key, operation: operation, context: context,
                      hlc: HLCTimestamp(milliseconds: hlcMilliseconds, logical: 0), author: author)
    }

    /// The state of `record` right after its create by this replica.
    mutating func created<R: FieldRecord>(_ record: R) -> RecordState {
        let key = RecordKey(R.collection, record.id, scope: record.village)
        var state = RecordState(key: key)
        state.apply(change(key, .create(record.fieldValues), seeing: VersionVector()))
        return state
    }

    /// The write of `name` by this replica having seen `state`.
    mutating func setting(_ state: RecordState, _ name: String, _ value: FieldValue) -> Change {
        change(state.key, .set(state.schema.id(name), value), seeing: state.version)
    }

    /// `state` after this replica wrote `name` having seen `state`.
    mutating func set(_ state: RecordState, _ name: String, _ value: FieldValue) -> RecordState {
        state.merging([setting(state, name, value)])
    }

    /// `state` after this replica deleted it having seen it.
    mutating func deleted(_ state: RecordState) -> RecordState {
        var next = state
        next.apply(change(state.key, .delete, seeing: state.version))
        return next
    }
}

extension RecordState {
    /// This state with `changes` merged in (what the server holds after acknowledging them).
    func merging(_ changes: [Change]) -> RecordState {
        var s = self
        for c in changes { s.apply(c) }
        return s
    }

    static func of(_ changes: [Change]) -> RecordState {
        RecordState(key: changes[0].record).merging(changes)
    }
}

extension Replica {
    /// Applies `response` as the device receives it: encoded and decoded through the wire codec.
    @discardableResult
    func receive(_ response: SyncResponse) throws -> ApplyReport {
        try apply(try SyncCodec.decodeResponse(SyncCodec.encodeResponse(response)))
    }

    /// Applies a last page of `states` for `village` with the matching digest.
    @discardableResult
    func receivePage(_ states: [RecordState], village: VillageCode = Fixture.villageA, cursor: UInt64 = 10,
                     acked: [UInt64] = [], at serverTime: Int64 = Fixture.now) throws -> ApplyReport {
        try receive(SyncResponse(serverTimeMilliseconds: serverTime, acked: acked, page: states, cursors: [village: cursor],
                                 hasMore: false, digests: [village: ScopeDigest.of(states.filter { !$0.isDeleted })]))
    }
}
