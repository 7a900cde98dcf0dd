import FieldModel
import SyncCore

/// Writes made on the server. They are changes from the server's replica, checked and merged
/// like any device's, so every replica converges on them the same way.
extension SyncEngine {
    /// A reviewer's resolution of a field: one write whose context is the record's current
    /// version, so it supersedes every concurrent value. Checked with the reviewer's role, scope
    /// and filings.
    ///
    /// A workflow field is resolved by a `transition` from the kept value to itself: it settles
    /// the status on one of its concurrent values (SPEC §12), by a role that may move a
    /// household into it.
    public func resolveConflict(_ key: RecordKey, field: FieldID, value: FieldValue, by reviewer: Worker, now: Int64) async throws -> PushOutcome {
        let stored = try await store.record(key)
        let operation: Change.Operation = key.collection.schema.field(field)?.merge == .workflow
            ? .transition(field, from: value, to: value) : .set(field, value)
        // The server's hybrid clock, taken from the record: later than every write it holds.
        var clock = HybridLogicalClock(last: stored?.lastModified ?? .zero, wallClock: { now })
        let hlc = clock.now()
        func change(_ counter: UInt64) -> Change {
            Change(dot: Dot(configuration.serverReplica, counter), record: key, operation: operation,
                   context: stored?.version ?? VersionVector(), hlc: hlc, author: reviewer.id)
        }
        // A refused resolution changes nothing: not even a server counter is reserved for it.
        let trial = try await rehearse([change(Self.rehearsalCounter)], authority: .worker(reviewer), deviceID: "server", now: now)[0]
        if case .rejected = trial.status { return trial }
        let counter = try await store.allocateServerCounters(1).lowerBound
        let result = try await push([change(counter)], replica: configuration.serverReplica, authority: .worker(reviewer),
                                    deviceID: "server", now: now)
        return result.outcomes[0]
    }

    /// 撤销备案: an administrator withdraws a relative filing. The filing stays (the special roster
    /// keeps it, marked withdrawn) and binds no recusal from then on; the withdrawal syncs to the
    /// village's devices like any write. Returns the filing as it now stands; `unknown_record`
    /// when there is no such filing, `invalid_argument` when it is withdrawn already.
    public func withdrawFiling(_ id: RecordID, by admin: WorkerID, now: Int64) async throws -> RelativeFiling {
        guard let stored = try await store.record(RecordKey(.relativeFiling, id, scope: VillageCode(uncheckedRawValue: 0))) else {
            throw SyncEngineError(.unknownRecord, "no relative filing \(id) on the server")
        }
        let filing = try StoredColumns.readFiling(stored)
        if let on = filing.withdrawnOn { throw SyncEngineError(.invalidArgument, "filing \(id) was withdrawn on \(on)") }
        let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: now)
        var clock = HybridLogicalClock(last: stored.lastModified, wallClock: { now })
        let counter = try await store.allocateServerCounters(1).lowerBound
        let change = Change(dot: Dot(configuration.serverReplica, counter), record: stored.key,
                            operation: .set(RelativeFiling.Field.withdrawnOn.id, .date(today)), context: stored.version,
                            hlc: clock.now(), author: admin)
        let outcome = try await push([change], replica: configuration.serverReplica, authority: .administrator(admin),
                                     deviceID: "server", now: now).outcomes[0]
        if case .rejected(let reason, let message) = outcome.status {
            throw SyncEngineError(.storage, "the withdrawal of filing \(id) was refused (\(reason.rawValue)): \(message)")
        }
        var withdrawn = filing
        withdrawn.withdrawnOn = today
        return withdrawn
    }

    /// Counters no server write ever takes, for a rehearsal's provisional dots.
    static let rehearsalCounter = UInt64.max - UInt64(Int32.max)

    /// The outcomes `changes` of the server's replica would get, decided against the store as it
    /// is now, in a transaction that writes nothing.
    func rehearse(_ changes: [Change], authority: Authority, deviceID: String, now: Int64) async throws -> [PushOutcome] {
        do {
            _ = try await push(changes, replica: configuration.serverReplica, authority: authority, deviceID: deviceID, now: now, mode: .rehearse)
        } catch let rehearsal as Rehearsal {
            return rehearsal.outcomes
        }
        throw SyncEngineError(.storage, "a rehearsed push of \(changes.count) changes was written")
    }

    /// Creates records from the server's replica, in transactions of at most
    /// `configuration.importBatchSize`. An administrator's action: values are validated, role,
    /// scope and recusal are not asked. A record that exists already is refused (`duplicate_create`).
    public func importRecords(_ records: [ImportRecord], by admin: WorkerID, now: Int64) async throws -> ImportResult {
        var result = ImportResult()
        let size = max(1, configuration.importBatchSize)
        for start in stride(from: 0, to: records.count, by: size) {
            let chunk = records[start..<min(start + size, records.count)]
            let changes = try await serverCreates(chunk, by: admin, now: now)
            let pushed = try await push(changes, replica: configuration.serverReplica, authority: .administrator(admin),
                                        deviceID: "import", now: now)
            for (record, outcome) in zip(chunk, pushed.outcomes) {
                if case .rejected(let reason, let message) = outcome.status {
                    result.rejected.append(.init(key: record.key, reason: reason, message: message))
                } else {
                    result.created += 1
                }
            }
        }
        return result
    }

    /// Creates every one of `records` in one transaction, or none: the roster import, where a
    /// half-imported county is worse than none. Throws `ImportRefused` naming each refused
    /// record (a duplicate, a value the schema refuses) when any is.
    public func importAll(_ records: [ImportRecord], by admin: WorkerID, now: Int64) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        // Rehearsed first, so a refused import reserves no server counters: it changes nothing.
        let rehearsal = Self.rehearsalCounter...(Self.rehearsalCounter + UInt64(records.count) - 1)
        let trial = try await rehearse(creates(records[...], counters: rehearsal, by: admin, now: now),
                                       authority: .administrator(admin), deviceID: "import", now: now)
        let refused = zip(records, trial).compactMap { record, outcome -> ImportRefused.Refusal? in
            guard case .rejected(let reason, let message) = outcome.status else { return nil }
            return ImportRefused.Refusal(key: record.key, reason: reason, message: message)
        }
        if !refused.isEmpty { throw ImportRefused(refusals: refused) }
        let changes = try await serverCreates(records[...], by: admin, now: now)
        let result = try await push(changes, replica: configuration.serverReplica, authority: .administrator(admin),
                                    deviceID: "import", now: now, mode: .allOrNothing)
        return result.outcomes.count
    }

    /// Creates of `records` from the server's replica, on freshly reserved counters.
    func serverCreates(_ records: ArraySlice<ImportRecord>, by admin: WorkerID, now: Int64) async throws -> [Change] {
        creates(records, counters: try await store.allocateServerCounters(records.count), by: admin, now: now)
    }

    func creates(_ records: ArraySlice<ImportRecord>, counters: ClosedRange<UInt64>, by admin: WorkerID, now: Int64) -> [Change] {
        let hlc = HLCTimestamp(milliseconds: now, logical: 0)
        return zip(records, counters).map { record, counter in
            Change(dot: Dot(configuration.serverReplica, counter), record: record.key, operation: .create(record.values),
                   context: VersionVector(), hlc: hlc, author: admin)
        }
    }

    /// Removes tombstones older than the horizon. Devices whose cursor lies below the purged
    /// sequences re-bootstrap on their next sync.
    @discardableResult
    public func purgeTombstones(now: Int64) async throws -> Int {
        try await store.purgeTombstones(deletedBefore: now - configuration.tombstoneHorizonMilliseconds)
    }
}
