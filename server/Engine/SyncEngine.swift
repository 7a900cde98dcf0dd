import FieldModel
import SyncCore
import SyncProtocol

/// The server's sync logic, with no HTTP and no storage of its own: it takes a decoded request
/// and the token's identity and returns the response, so tests, the simulator and the HTTP layer
/// all run the same code in-process.
///
///     let engine = SyncEngine(store: try SQLiteSyncStore(path: path),
///                             configuration: .init(serverReplica: ReplicaID(0x5E12)))
///     let response = try await engine.sync(request, device: device, now: clock())
///
/// A request-level problem throws `SyncEngineError` and changes nothing; problems with single
/// changes come back as rejections while the rest of the batch is applied.
public struct SyncEngine: Sendable {
    public let store: any SyncStore
    public let configuration: Configuration
    /// Concurrent pushes go to the store in groups, one transaction each.
    public let pushes: PushQueue
    /// The purge mark the last page was served under: a pull's first guess (`pull(into:…)`).
    let lastPurgeMark = LastPurgeMark()

    public init(store: any SyncStore, configuration: Configuration) {
        self.store = store
        self.configuration = configuration
        pushes = PushQueue()
    }

    /// Limits and policies of one server.
    public struct Configuration: Sendable, Hashable {
        /// The server's own replica: the dot of every server-side write (resolutions, imports).
        public var serverReplica: ReplicaID
        /// How long tombstones are kept before a purge may remove them.
        public var tombstoneHorizonMilliseconds = TombstoneHorizon.defaultMilliseconds
        public var defaultPageSize = 500
        public var maxPageSize = 5_000
        /// A scope with more live records than this gets a `scope_budget_warning`.
        public var scopeWarningRecords = 40_000
        /// A scope with more live records than this is refused with `scope_blocked`.
        public var scopeBlockingRecords = 60_000
        /// How far a change's HLC may run ahead of the server's clock.
        public var clockAheadToleranceMilliseconds: Int64 = 24 * 3_600_000
        /// Changes per batch the engine accepts (SPEC §8).
        public var maxChanges = MessageLimits.standard.maxChanges
        /// Changes per transaction of an import.
        public var importBatchSize = 1_000
        /// The policy's figures (the shortest public notice).
        public var policy = PolicySettings.standard
        /// New households per device and per village per day.
        public var creationBudget = CreationBudget()

        public init(serverReplica: ReplicaID) { self.serverReplica = serverReplica }
    }

    /// One sync exchange: applies the request's batch, then serves the next page of the worker's
    /// scope (SPEC §3–4).
    ///
    /// `now` is the server's clock (ms since the epoch): it decides "today" for date checks, the
    /// clock-ahead limit and the response's `serverTimeMilliseconds`.
    public func sync(_ request: SyncRequest, device: DeviceContext, now: Int64) async throws -> SyncResponse {
        try checkRequest(request, device: device)
        let jurisdiction = Jurisdiction(device.worker)
        let scope = try await villagesInScope(jurisdiction)
        let size = try await store.recordCount(villages: scope)
        guard size <= configuration.scopeBlockingRecords else {
            throw SyncEngineError(.scopeBlocked,
                                  "worker \(device.worker.id) (\(jurisdiction.assignment.summary)) has \(size) records in scope, over the blocking level \(configuration.scopeBlockingRecords); an administrator must narrow the assignment")
        }

        var response = SyncResponse(serverTimeMilliseconds: now, protocolVersion: request.protocolVersion)
        let restoredSince = try await answerBatchUnlessRestored(request, device: device, now: now, into: &response)
        var pulled = request
        // A restored server may give its sequences again: every village starts over from 0.
        if restoredSince { pulled.cursors = request.cursors.mapValues { _ in 0 } }
        try await pull(into: &response, request: pulled, scope: scope)
        if restoredSince { response.rebootstrapVillages = scope }
        if size > configuration.scopeWarningRecords {
            response.warnings.append(ScopeWarning(code: "scope_budget_warning",
                                                  message: "\(size) records in scope, over the warning level \(configuration.scopeWarningRecords) (blocking at \(configuration.scopeBlockingRecords))"))
        }
        return response
    }

    /// An exchange of a device revoked as retired (a reassigned or replaced phone): its batch is
    /// applied as any device's, and nothing is sent back but the answers to it and the
    /// `device_retired` warning — no page, no cursor, no digest. Once its outbox is empty, the
    /// HTTP layer answers its next exchange `revoked` with the instruction to wipe (SPEC §11.7).
    public func acceptOutbox(_ request: SyncRequest, device: DeviceContext, now: Int64) async throws -> SyncResponse {
        try checkRequest(request, device: device)
        var response = SyncResponse(serverTimeMilliseconds: now, protocolVersion: request.protocolVersion)
        _ = try await answerBatchUnlessRestored(request, device: device, now: now, into: &response)
        response.warnings.append(ScopeWarning(code: HTTPAPI.retiredWarning,
                                              message: "device \(device.deviceID) was retired: its changes are taken, nothing more is sent, and it wipes itself once they are all answered"))
        return response
    }

    /// The checks of a whole request that need no storage.
    func checkRequest(_ request: SyncRequest, device: DeviceContext) throws(SyncEngineError) {
        guard SyncProtocolVersion.supported.contains(request.protocolVersion) else {
            throw SyncEngineError(.unsupportedProtocol,
                                  "protocol version \(request.protocolVersion); this server speaks \(SyncProtocolVersion.oldest) to \(SyncProtocolVersion.current)")
        }
        guard request.replica == device.replica else {
            throw SyncEngineError(.replicaMismatch,
                                  "request from replica \(request.replica), but device \(device.deviceID)'s token was enrolled with replica \(device.replica)")
        }
        guard device.replica != configuration.serverReplica else {
            throw SyncEngineError(.replicaMismatch,
                                  "device \(device.deviceID) was enrolled with replica \(device.replica), the server's own; re-enrol it")
        }
        guard request.schemaVersion <= Schema.version else {
            throw SyncEngineError(.schemaTooNew,
                                  "device schema version \(request.schemaVersion) is ahead of the server's \(Schema.version); keep the outbox and sync after the server upgrade")
        }
        guard request.changes.count <= configuration.maxChanges else {
            throw SyncEngineError(.tooManyElements, "\(request.changes.count) changes in one batch, limit \(configuration.maxChanges)")
        }
        if let foreign = request.changes.first(where: { $0.dot.replica != request.replica }) {
            throw SyncEngineError(.replicaMismatch, "change \(foreign.dot) in a request from replica \(request.replica) carries another replica's dot")
        }
    }

    /// Applies a batch in one store transaction under `authority`'s checks (`mode`: what a
    /// refused change does to the rest).
    func push(_ changes: [Change], replica: ReplicaID, authority: Authority, deviceID: String, now: Int64,
              mode: PushMode = .apply) async throws -> PushResult {
        // A batch travels grouped by record; its meaning is dot order (the order the device made
        // the writes), which the counter check and causality within a record rely on.
        let ordered = changes.enumerated().sorted { ($0.element.dot.counter, $0.offset) < ($1.element.dot.counter, $1.offset) }.map(\.element)
        let counted = if case .worker = authority { true } else { false }
        let input = try PushInput(replica: replica, changes: ordered, staff: authority.workerID, nowMilliseconds: now, deviceID: deviceID,
                                  countsCreations: counted)
        let planner = BatchPlanner(input: input, authority: authority, deviceID: deviceID,
                                   serverReplica: configuration.serverReplica,
                                   clockAheadTolerance: configuration.clockAheadToleranceMilliseconds,
                                   settings: configuration.policy, budget: configuration.creationBudget)
        return try await pushes.push(PendingPush(input: input) { snapshot in
            let plan = planner.plan(snapshot)
            if mode == .rehearse { throw Rehearsal(outcomes: plan.outcomes) }
            if mode == .allOrNothing {
                let refused = zip(ordered, plan.outcomes).compactMap { change, outcome -> ImportRefused.Refusal? in
                    guard case .rejected(let reason, let message) = outcome.status else { return nil }
                    return ImportRefused.Refusal(key: change.record, reason: reason, message: message)
                }
                if !refused.isEmpty { throw ImportRefused(refusals: refused) }
            }
            return plan
        }, to: store)
    }

    /// Records waiting for a reviewer in the villages `worker` sees, in sequence order.
    public func openConflicts(visibleTo worker: Worker) async throws -> [RecordState] {
        try await store.openConflicts(villages: villagesInScope(Jurisdiction(worker)))
    }

    /// The villages the worker sees: those the store knows inside the assignment. None for a
    /// role that sees nothing (an administrator).
    func villagesInScope(_ jurisdiction: Jurisdiction) async throws -> [VillageCode] {
        try await store.villages(coveredBy: jurisdiction.assignment).filter(jurisdiction.canSee)
    }
}

extension SyncResponse {
    /// Acknowledges or rejects each change of a push, in order.
    mutating func answer(_ result: PushResult) {
        for outcome in result.outcomes {
            if case .rejected(let reason, let message) = outcome.status {
                rejections.append(Rejection(counter: outcome.dot.counter, reason: reason.rawValue, message: message))
            } else {
                acked.append(outcome.dot.counter)
            }
        }
    }
}
