import FieldModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServerDirectory
import ServerEngine
import ServerOps
import ServiceLifecycle
import SyncProtocol

/// The sync server's HTTP API (SPEC §10, `protocol/openapi.yaml`) over one engine and one
/// directory: enrolment, sync, the reviewer's conflicts and the administrator's actions.
///
/// `buildApplication` (ServerApp) assembles it from a `ServerConfiguration`; nothing else does.
///
/// Every request is authorized by its token's worker as the directory holds it now, so a
/// revocation or a new assignment counts from the very next request.
public struct DoorstepServer: Sendable {
    public let engine: SyncEngine
    public let access: AccessControl
    /// Device sync history and status, for ops: the store's, through `history`.
    public let ops: any OpsStore
    /// Writes the sync history in batches; a service of the running server (`services(logger:)`).
    public let history: SyncHistoryWriter
    public let metrics: SyncMetrics
    public let thresholds: OpsThresholds
    public let limits: ServerLimits
    /// The server's clock, ms since the epoch; injected so tests and the simulator control time.
    public let clock: @Sendable () -> Int64
    /// Crashes the crash tests ask for; off by default.
    public var faults = FaultInjection.off
    /// HTTPS, trusted proxies and connection timeouts.
    public var security = ServerSecurity()
    let deviceLimiter: RateLimiter
    /// Attachment chunks' bytes, per device credential.
    let uploadLimiter: RateLimiter
    let administratorLimiter: RateLimiter
    /// Enrolments, per client address.
    let enrolmentLimiter: RateLimiter
    /// Failed authentications, per client address.
    let failureLimiter: RateLimiter
    /// The figures `/metrics` reads from the store, built at most once per lifetime.
    let metricsFigures: TimedCache<SyncMetrics.SharedFigures>
    /// The blind index of ID numbers, when the store keeps one (both backends do).
    let people: (any PeopleStore)?
    /// The supervision facts, when the store keeps them (both backends do).
    let supervision: (any SupervisionStore)?

    public init(engine: SyncEngine, access: AccessControl, ops: any OpsStore, metrics: SyncMetrics = SyncMetrics(),
                thresholds: OpsThresholds = OpsThresholds(), limits: ServerLimits = ServerLimits(),
                clock: @escaping @Sendable () -> Int64 = DoorstepServer.systemClock) {
        self.engine = engine
        self.access = access
        history = SyncHistoryWriter(ops)
        self.ops = history
        self.metrics = metrics
        self.thresholds = thresholds
        self.limits = limits
        self.clock = clock
        deviceLimiter = RateLimiter(burst: limits.deviceBurst, perSecond: limits.deviceRequestsPerSecond)
        uploadLimiter = RateLimiter(burst: limits.uploadBurstBytes, perSecond: limits.uploadBytesPerSecond)
        administratorLimiter = RateLimiter(burst: limits.administratorBurst, perSecond: limits.administratorRequestsPerSecond)
        enrolmentLimiter = RateLimiter(burst: limits.enrolmentBurst, perSecond: limits.enrolmentsPerSecond)
        failureLimiter = RateLimiter(burst: limits.failedAuthenticationBurst, perSecond: limits.failedAuthenticationsPerSecond)
        metricsFigures = TimedCache(lifetimeMilliseconds: Int64(limits.metricsRefreshSeconds * 1000))
        people = engine.store as? any PeopleStore
        supervision = engine.store as? any SupervisionStore
    }

    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Every route of the API, behind the middleware that answers every error as JSON.
    public func router() -> Router<DoorstepRequestContext> {
        let router = Router(context: DoorstepRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: TransportSecurityMiddleware(security: security))
        router.add(middleware: ErrorMiddleware())
        addHealthRoutes(router)
        addInfoRoutes(router)
        addSyncRoutes(router)
        addConflictRoutes(router)
        addAdminRoutes(router)
        addFilingRoutes(router)
        addOpsRoutes(router)
        addSupervisionRoutes(router)
        addOpsExportRoutes(router)
        addAttachmentRoutes(router)
        // Last: it sees only requests no route took, and needs every route to know the paths.
        router.add(middleware: MethodNotAllowedMiddleware(router))
        return router
    }

    /// The client's address (`ServerSecurity.clientAddress`).
    func clientAddress(_ request: Request, _ context: DoorstepRequestContext) -> String {
        security.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
    }

    /// The request's principal, rate-limited per credential: 401 without a valid token, 429
    /// with `Retry-After` over the limit. Failed authentications are limited per client address
    /// too: past the limit, 429 — and no failure costs a write (`SecurityLogCoalescer`).
    func principal(_ request: Request, _ context: DoorstepRequestContext, route: String, acceptingRetired: Bool = false,
                   budget: RequestBudget = .request) async throws -> Principal {
        try await principal(authorization: request.headers[.authorization], client: clientAddress(request, context), route: route,
                            acceptingRetired: acceptingRetired, budget: budget)
    }

    /// What a request takes from its credential's rate limit.
    enum RequestBudget {
        /// One request of the credential's budget.
        case request
        /// An attachment chunk of this many bytes, from the device's upload budget instead.
        case uploadBytes(Int)
    }

    func principal(authorization: String?, client: String, route: String, acceptingRetired: Bool = false,
                   budget: RequestBudget = .request) async throws -> Principal {
        let now = clock()
        let principal: Principal
        do {
            principal = try await access.authenticate(authorization: authorization, now: now, route: route, client: client,
                                                      acceptingRetired: acceptingRetired)
        } catch let error as DirectoryError where error.code != .storage {
            if let wait = failureLimiter.take(client, now: now) {
                var limited = APIError(.tooManyRequests, "rate_limited",
                                       "too many failed authentications from \(client) (over \(failureLimiter.perSecond) per second, burst \(Int(failureLimiter.burst))); retry after \(wait) s")
                limited.retryAfterSeconds = wait
                limited.wipe = error.wipe
                throw limited
            }
            throw error
        }
        let administrator = principal.credential.kind == .administrator
        if case .uploadBytes(let bytes) = budget, !administrator {
            let cost = max(bytes, ServerLimits.uploadMinimumChunkCost)
            if let wait = uploadLimiter.take(principal.credential.id, cost: Double(cost), now: now) {
                var error = APIError(.tooManyRequests, "rate_limited",
                                     "credential \(principal.credential.id) is over \(Int(uploadLimiter.perSecond)) bytes of attachment chunks per second (burst \(Int(uploadLimiter.burst)) bytes; this chunk counts \(cost)); retry after \(wait) s")
                error.retryAfterSeconds = wait
                throw error
            }
            return principal
        }
        let limiter = administrator ? administratorLimiter : deviceLimiter
        if let wait = limiter.take(principal.credential.id, now: now) {
            var error = APIError(.tooManyRequests, "rate_limited",
                                 "credential \(principal.credential.id) is over \(limiter.perSecond) requests per second (burst \(Int(limiter.burst))); retry after \(wait) s")
            error.retryAfterSeconds = wait
            throw error
        }
        return principal
    }

    /// The body's bytes, refused with 413 once past `limit`: by `Content-Length` before reading,
    /// and while reading for a body that does not declare its length.
    func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(.contentTooLarge, "body_too_large", "a body of \(declared) bytes, limit \(limit)")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "body_too_large", "the body passed the limit of \(limit) bytes while being read")
        }
    }

    /// A JSON document of type `T` from the body.
    func json<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T {
        guard let document = try await optionalJSON(request, as: type) else {
            throw APIError(.badRequest, "malformed_json", "the body is empty; this endpoint takes a JSON document")
        }
        return document
    }

    /// A JSON document when the body has one, nil for an empty body. A member the document
    /// does not have is refused (400 `unknown_field`), not ignored: a client that sends a
    /// `status` or a `worker` it may not set learns so, rather than believing it was applied.
    func optionalJSON<T: Decodable>(_ request: Request, as _: T.Type) async throws -> T? {
        let bytes = try await body(request, limit: limits.maxJSONBodyBytes)
        guard !bytes.isEmpty else { return nil }
        let data = Data(bytes)
        let document = try JSONDecoder().decode(T.self, from: data)
        // The documents' coding keys are their stored properties' names (synthesized Codable).
        let known = Set(Mirror(reflecting: document).children.compactMap(\.label))
        if let members = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError(.badRequest, "unknown_field",
                           "the document has no member \"\(unknown.prefix(40))\"; it takes \(known.sorted().joined(separator: ", "))")
        }
        return document
    }

    /// An integer query parameter in `range`, `defaultValue` when absent; anything else is a 400.
    func queryInteger(_ request: Request, _ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return defaultValue }
        guard let value = Int(String(text)), range.contains(value) else {
            throw APIError(.badRequest, "invalid_argument", "\(name) \"\(text.prefix(40))\" is not an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A JSON response.
    func reply(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// Answers every error with its status and `{code, message}`; logs the server's own failures.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = DoorstepRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw APIError(error.status, Self.code(error.status), error.body ?? "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)")
        } catch {
            let answer = APIError(error)
            if answer.status.code >= 500 {
                context.logger.error("request failed", metadata: ["route": "\(request.method) \(request.uri.path)", "error": "\(error)"])
            }
            throw answer
        }
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .badRequest: "bad_request"
        default: "http_\(status.code)"
        }
    }
}
