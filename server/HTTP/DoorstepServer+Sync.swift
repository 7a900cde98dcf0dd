import FieldModel
import Hummingbird
import Logging
import NIOCore
import ServerDirectory
import ServerEngine
import SyncCore
import SyncProtocol

extension DoorstepServer {
    /// Rejection reasons that are a worker reaching past their authority: logged as such.
    static let authorityReasons = Set([RejectionReason.outsideScope, .roleNotAllowed, .recusal, .authorMismatch].map(\.rawValue))

    func addSyncRoutes(_ router: Router<BasicRequestContext>) {
        router.post(RouterPath(stringLiteral: HTTPAPI.enrolPath)) { request, context in
            let now = clock()
            if let wait = enrolmentLimiter.take("enrol", now: now) {
                var error = APIError(.tooManyRequests, "rate_limited", "too many enrolments; retry after \(wait) s")
                error.retryAfterSeconds = wait
                throw error
            }
            let document = try await json(request, as: EnrolmentRequest.self)
            guard let replica = ReplicaID(hex: document.replica) else {
                throw APIError(.badRequest, "invalid_argument", "replica \"\(document.replica.prefix(40))\" is not 16 hexadecimal digits")
            }
            let enrolment = try await access.enrol(code: document.code, replica: replica, deviceName: document.deviceName, now: now)
            context.logger.info("device enrolled", metadata: ["device": "\(enrolment.credential.id)", "worker": "\(enrolment.worker.id)"])
            return try reply(EnrolmentResponse(token: enrolment.token, deviceID: enrolment.credential.id, replica: replica,
                                               worker: WorkerDocument(enrolment.worker)), status: .created)
        }

        router.post(RouterPath(stringLiteral: HTTPAPI.syncPath)) { request, context in
            let route = "POST \(HTTPAPI.syncPath)"
            let principal = try await principal(request, route: route)
            guard let device = principal.device else {
                throw APIError(.forbidden, "not_a_device", "credential \(principal.credential.id) is an administrator's; only an enrolled device syncs")
            }
            guard request.headers[.contentEncoding]?.lowercased() == "deflate" else {
                throw APIError(.unsupportedMediaType, "unsupported_encoding",
                               "a sync body is sent with Content-Encoding: deflate, got \(request.headers[.contentEncoding] ?? "none")")
            }
            let bytes = try await body(request, limit: limits.maxSyncBodyBytes)
            let sync = try SyncCodec.decodeRequest(bytes, limits: limits.message)
            let now = clock()
            let response: SyncResponse
            do {
                response = try await engine.sync(sync, device: device, now: now)
            } catch let error as SyncEngineError where error.code == .replicaMismatch || error.code == .scopeBlocked {
                try await access.recordRefusal(principal, route: route, error, now: now)
                throw error
            }
            let refused = response.rejections.filter { Self.authorityReasons.contains($0.reason) }
            if let first = refused.first {
                try await access.recordRefusal(principal, route: route,
                                               "\(refused.count) changes refused for authority; first counter \(first.counter) \(first.reason): \(first.message)", now: now)
            }
            for warning in response.warnings {
                context.logger.warning("scope budget", metadata: ["worker": "\(device.worker.id)", "device": "\(device.deviceID)", "warning": "\(warning.message)"])
            }
            var headers = HTTPFields()
            headers[.contentType] = HTTPAPI.syncMediaType
            headers[.contentEncoding] = "deflate"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: SyncCodec.encodeResponse(response))))
        }
    }
}
