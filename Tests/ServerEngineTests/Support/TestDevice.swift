import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol

/// A field device reduced to what the server sees: it numbers its writes, sends batches, and
/// keeps the pulled states and cursors as SPEC §4 says (drop, re-bootstrap, replace, store cursors).
struct TestDevice {
    var context: DeviceContext
    var counter: UInt64 = 0
    var cursors: [VillageCode: UInt64] = [:]
    var held: [RecordID: RecordState] = [:]

    init(_ worker: Worker, replica: UInt64) {
        context = DeviceContext(worker: worker, deviceID: "device-\(worker.id)", replica: ReplicaID(replica))
    }

    var replica: ReplicaID { context.replica }
    var worker: Worker { context.worker }

    /// The next write. The context defaults to the held state's version, the HLC to a reading
    /// near `Fixture.now` that grows with the counter.
    mutating func write(_ operation: Change.Operation, to key: RecordKey, seeing: VersionVector? = nil,
                        hlc: HLCTimestamp? = nil, author: WorkerID? = nil, schemaVersion: UInt32 = Schema.version) -> Change {
        counter += 1
        return Change(dot: Dot(replica, counter), record: key, operation: operation,
                      context: seeing ?? held[key.id]?.version ?? VersionVector(),
                      hlc: hlc ?? HLCTimestamp(milliseconds: Fixture.now - 60_000 + Int64(counter), logical: 0),
                      author: author ?? worker.id, schemaVersion: schemaVersion)
    }

    mutating func create<R: FieldRecord>(_ record: R) -> Change {
        write(.create(record.fieldValues), to: RecordKey(R.collection, record.id, scope: record.village))
    }

    mutating func set(_ key: RecordKey, _ field: String, _ value: FieldValue) -> Change {
        write(.set(key.collection.schema.id(field), value), to: key)
    }

    func request(_ changes: [Change], pageLimit: Int = 0) -> SyncRequest {
        SyncRequest(replica: replica, appVersion: "test", cursors: cursors, changes: changes, health: DeviceHealth(),
                    pageLimit: pageLimit, deviceTimeMilliseconds: Fixture.now)
    }

    /// One exchange, applied to the device.
    @discardableResult
    mutating func sync(_ engine: SyncEngine, _ changes: [Change] = [], now: Int64 = Fixture.now, pageLimit: Int = 0) async throws -> SyncResponse {
        let response = try await engine.sync(request(changes, pageLimit: pageLimit), device: context, now: now)
        apply(response)
        return response
    }

    /// Syncs until no page waits; returns every response.
    @discardableResult
    mutating func syncUntilDone(_ engine: SyncEngine, _ changes: [Change] = [], now: Int64 = Fixture.now, pageLimit: Int = 0) async throws -> [SyncResponse] {
        var responses = [try await sync(engine, changes, now: now, pageLimit: pageLimit)]
        while responses.last!.hasMore { responses.append(try await sync(engine, now: now, pageLimit: pageLimit)) }
        return responses
    }

    mutating func apply(_ response: SyncResponse) {
        for village in response.droppedVillages + response.rebootstrapVillages {
            held = held.filter { $0.value.key.scope != village }
            cursors[village] = nil
        }
        for state in response.page { held[state.key.id] = state }
        cursors = response.cursors
    }

    /// The digest of the held states of `village`, deleted records excluded (SPEC §1).
    func digest(of village: VillageCode) -> ScopeDigest {
        ScopeDigest.of(held.values.filter { $0.key.scope == village && !$0.isDeleted })
    }
}
