import FieldModel
import Hummingbird
import Logging
import NIOCore
import ServerDirectory
import ServerEngine
import ServerOps
import SyncCore
import SyncProtocol

extension DoorstepServer {
    /// Rejection reasons that are a worker reaching past their authority or the policy (scope,
    /// role, recusal, the workflow against stored state, separation of duties, the notice gates,
    /// deletes, the creation budget, values no device's own checks let through): each exchange
    /// with one is logged as an authorization failure.
    static let authorityReasons = Set([RejectionReason.outsideScope, .roleNotAllowed, .recusal, .authorMismatch, .invalidTransition,
                                       .invalidValue, .notDeletable, .statusMismatch, .statusConflict, .separationOfDuties,
                                       .noticeNotReady, .creationBudget, .wrongRecord].map(\.rawValue))

    func addSyncRoutes(_ router: Router<DoorstepRequestContext>) {
        router.post(RouterPath(stringLiteral: HTTPAPI.enrolPath)) { request, context in
            let now = clock()
            let client = clientAddress(request, context)
            if let wait = enrolmentLimiter.take(client, now: now) {
                var error = APIError(.tooManyRequests, "rate_limited", "too many enrolments from \(client); retry after \(wait) s")
                error.retryAfterSeconds = wait
                throw error
            }
            let document = try await json(request, as: EnrolmentRequest.self)
            guard let replica = ReplicaID(hex: document.replica) else {
                throw APIError(.badRequest, "invalid_argument", "replica \"\(document.replica.prefix(40))\" is not 16 hexadecimal digits")
            }
            let enrolment = try await access.enrol(code: document.code, replica: replica, deviceName: document.deviceName, now: now, client: client)
            context.logger.info("device enrolled", metadata: ["device": "\(enrolment.credential.id)", "worker": "\(enrolment.worker.id)"])
            return try reply(EnrolmentResponse(token: enrolment.token, deviceID: enrolment.credential.id, replica: replica,
                                               worker: WorkerDocument(enrolment.worker), serverTimeMilliseconds: clock()), status: .created)
        }

        router.post(RouterPath(stringLiteral: HTTPAPI.syncPath)) { request, context in
            let route = "POST \(HTTPAPI.syncPath)"
            // A device revoked as retired still hands in its outbox (SPEC §11.7).
            let principal = try await principal(request, context, route: route, acceptingRetired: true)
            guard let device = principal.device else {
                throw APIError(.forbidden, "not_a_device", "credential \(principal.credential.id) is an administrator's; only an enrolled device syncs")
            }
            // Every exchange of an enrolled device goes into its sync history, however it ends.
            let started = ContinuousClock.now
            var exchange = Exchange(record: SyncRecord(deviceID: device.deviceID, worker: device.worker.id, atMilliseconds: clock(), durationMilliseconds: 0,
                                                       pushed: 0, rejected: 0, pulled: 0, bytesIn: 0, bytesOut: 0, result: "ok", reason: nil,
                                                       health: nil, overBudget: false, regions: device.worker.assignment.trendRegions))
            do {
                let response = try await sync(request, device: device, principal: principal, route: route, context: context, exchange: &exchange)
                await finish(&exchange, started: started, context: context)
                return response
            } catch {
                let answer = APIError(error)
                exchange.record.result = answer.code
                exchange.record.reason = answer.message
                exchange.record.overBudget = exchange.record.overBudget || answer.code == "scope_blocked"
                await finish(&exchange, started: started, context: context)
                throw error
            }
        }
    }

    /// What one exchange did, gathered for its history row and the metrics.
    struct Exchange {
        var record: SyncRecord
        var rejections: [String] = []
        var pullsFromZero = 0
    }

    func sync(_ request: Request, device: DeviceContext, principal: Principal, route: String, context: DoorstepRequestContext,
              exchange: inout Exchange) async throws -> Response {
        guard request.headers[.contentEncoding]?.lowercased() == "deflate" else {
            throw APIError(.unsupportedMediaType, "unsupported_encoding",
                           "a sync body is sent with Content-Encoding: deflate, got \(request.headers[.contentEncoding] ?? "none")")
        }
        let bytes = try await body(request, limit: limits.maxSyncBodyBytes)
        exchange.record.bytesIn = bytes.count
        let sync = try SyncCodec.decodeRequest(bytes, limits: limits.message)
        let h = sync.health
        exchange.record.health = SyncRecord.Health(outboxCount: h.outboxCount, oldestUnsyncedMilliseconds: h.oldestUnsyncedMilliseconds,
                                                   localRecords: h.localRecords, freeStorageBytes: h.freeStorageBytes,
                                                   appVersion: sync.appVersion, schemaVersion: Int(sync.schemaVersion),
                                                   evidenceWaiting: h.evidenceWaiting, evidenceWaitingBytes: h.evidenceWaitingBytes,
                                                   oldestEvidenceMilliseconds: h.oldestEvidenceMilliseconds)
        exchange.record.pushed = sync.changes.count
        exchange.pullsFromZero = sync.cursors.values.filter { $0 == 0 }.count
        let now = clock()
        let response: SyncResponse
        do {
            if principal.credential.isRevoked {
                // Retired: its changes are taken; with none left to hand in, it is told to wipe.
                guard !sync.changes.isEmpty else {
                    var error = DirectoryError(.revoked, "credential \(principal.credential.id) of worker \(device.worker.id) was retired and holds no unsynced change; wipe the device")
                    error.wipe = .retired
                    throw error
                }
                response = try await engine.acceptOutbox(sync, device: device, now: now)
            } else {
                response = try await engine.sync(sync, device: device, now: now)
            }
        } catch let error as SyncEngineError where error.code == .replicaMismatch || error.code == .scopeBlocked {
            try await access.recordRefusal(principal, route: route, error, now: now)
            throw error
        }
        if !sync.changes.isEmpty { faults.afterCommit(logger: context.logger) }
        // The device counted its outbox before this exchange; what was acknowledged is no longer unsynced.
        if var health = exchange.record.health {
            health.outboxCount = max(0, health.outboxCount - response.acked.count)
            if health.outboxCount == 0 { health.oldestUnsyncedMilliseconds = nil }
            exchange.record.health = health
        }
        exchange.rejections = response.rejections.map(\.reason)
        exchange.record.rejected = response.rejections.count
        exchange.record.pulled = response.page.count
        let refused = response.rejections.filter { Self.authorityReasons.contains($0.reason) }
        if let first = refused.first {
            let reasons = Set(refused.map(\.reason)).sorted().joined(separator: ", ")
            try await access.recordRefusal(principal, route: route,
                                           "\(refused.count) changes refused by policy (\(reasons)); first counter \(first.counter) \(first.reason): \(first.message)", now: now)
        }
        for warning in response.warnings where warning.code != HTTPAPI.retiredWarning {
            exchange.record.overBudget = true
            context.logger.warning("scope budget", metadata: ["worker": "\(device.worker.id)", "device": "\(device.deviceID)", "warning": "\(warning.message)"])
        }
        let body = SyncCodec.encodeResponse(response)
        exchange.record.bytesOut = body.count
        var headers = HTTPFields()
        headers[.contentType] = HTTPAPI.syncMediaType
        headers[.contentEncoding] = "deflate"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Writes the exchange to the metrics and to the device's history (buffered: `SyncHistoryWriter`).
    /// A failure to write the history is logged and never fails the sync itself.
    func finish(_ exchange: inout Exchange, started: ContinuousClock.Instant, context: DoorstepRequestContext) async {
        let elapsed = ContinuousClock.now - started
        exchange.record.durationMilliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        metrics.record(exchange.record, rejections: exchange.rejections, pullsFromZero: exchange.pullsFromZero)
        do { try await ops.recordSyncs([exchange.record]) } catch {
            context.logger.error("sync history not written", metadata: ["device": "\(exchange.record.deviceID)", "error": "\(error)"])
        }
    }
}
