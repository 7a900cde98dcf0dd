import FieldModel
import SyncCore

/// Writes made on the server. They are changes from the server's replica, checked and merged
/// like any device's, so every replica converges on them the same way.
extension SyncEngine {
    /// A reviewer's resolution of a field: one write whose context is the record's current
    /// version, so it supersedes every concurrent value. Checked with the reviewer's role, scope
    /// and filings.
    ///
    /// A workflow field is resolved by a `transition`: from a concurrent value the chosen step
    /// follows, or, when the reviewer keeps one of the concurrent values, from the step that
    /// value follows (the writers' common origin).
    public func resolveConflict(_ key: RecordKey, field: FieldID, value: FieldValue, by reviewer: Worker, now: Int64) async throws -> PushOutcome {
        let stored = try await store.record(key)
        let operation: Change.Operation
        if key.collection.schema.field(field)?.merge == .workflow {
            operation = .transition(field, from: Self.transitionOrigin(to: value, among: stored?.fields[field]), to: value)
        } else {
            operation = .set(field, value)
        }
        let counter = try await store.allocateServerCounters(1).lowerBound
        // The server's hybrid clock, taken from the record: later than every write it holds.
        var clock = HybridLogicalClock(last: stored?.lastModified ?? .zero, wallClock: { now })
        let change = Change(dot: Dot(configuration.serverReplica, counter), record: key, operation: operation,
                            context: stored?.version ?? VersionVector(), hlc: clock.now(), author: reviewer.id)
        let result = try await push([change], replica: configuration.serverReplica, authority: .worker(reviewer),
                                    deviceID: "server", now: now)
        return result.outcomes[0]
    }

    static func transitionOrigin(to target: FieldValue, among field: FieldState?) -> FieldValue {
        let siblings = (field?.siblings ?? []).sorted { Sibling.wins($0, over: $1) }
        if let from = siblings.first(where: { Schema.isAllowedTransition(from: $0.value, to: target) }) {
            return from.value
        }
        if siblings.contains(where: { $0.value == target }),
           let status = target.textValue.flatMap(WorkflowStatus.init(rawValue:)),
           let origin = WorkflowStatus.allCases.first(where: { Workflow.isAllowed(from: $0, to: status) }) {
            return .text(origin.rawValue)
        }
        return siblings.first?.value ?? .null
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
        let changes = try await serverCreates(records[...], by: admin, now: now)
        let result = try await push(changes, replica: configuration.serverReplica, authority: .administrator(admin),
                                    deviceID: "import", now: now, allOrNothing: true)
        return result.outcomes.count
    }

    /// Creates of `records` from the server's replica, on freshly reserved counters.
    func serverCreates(_ records: ArraySlice<ImportRecord>, by admin: WorkerID, now: Int64) async throws -> [Change] {
        let counters = try await store.allocateServerCounters(records.count)
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
