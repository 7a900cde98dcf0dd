import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SyncClientHTTP
import SyncProtocol
import Synchronization

/// Keep-alive HTTP/1.1 connections from the virtual fleet to one plain-`http` server: a request
/// takes an idle connection (or opens one), writes its head and body, and gets the whole
/// response back. It does what a phone's HTTP stack does on the wire and little else, so the
/// generator's CPU goes to the protocol, not to a general client's pool, request state machine
/// and response streaming (AsyncHTTPClient cost the fleet about as much CPU as its codec did).
///
/// At most `maxConnections` are open; a request past them waits for one to come back (in the
/// order they came), so an overloaded server sees a queue, not a storm of new connections.
/// A connection the server closed while it idled fails its next request before any answer
/// arrives: that request is sent again on a new connection, up to `attempts` times in all (a
/// sync exchange may be repeated as it is; the server applies each dot once).
final class FleetConnections: Sendable {
    let host: String
    let port: Int
    /// The server URL's path, prefixed to every request's (no trailing slash).
    let basePath: String
    let maxConnections: Int
    private let group: any EventLoopGroup
    private let pool = Mutex(Pool())

    private struct Pool {
        var idle: [FleetConnection] = []
        /// Connections open or being opened, the idle ones included.
        var open = 0
        /// Requests waiting for a connection: handed an idle one, or nil to open one in a freed slot.
        var waiters: [CheckedContinuation<FleetConnection?, Never>] = []
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connections to `url`'s host and port (`http` only).
    init?(url: URL, maxConnections: Int = 1_024, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        guard url.scheme?.lowercased() == "http", let host = url.host else { return nil }
        self.host = host
        self.port = url.port ?? 80
        basePath = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        self.maxConnections = max(1, maxConnections)
        self.group = group
    }

    /// One request and its whole response (at most `maxResponseBytes` of body).
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: [UInt8] = [],
              maxResponseBytes: Int = 8 << 20, timeout: TimeAmount = .seconds(60)) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: basePath + path)
        head.headers.add(name: "Host", value: port == 80 ? host : "\(host):\(port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if method == .POST || !body.isEmpty { head.headers.add(name: "Content-Length", value: String(body.count)) }
        var reused = await lease()
        for attempt in 1...Self.attempts {
            let connection: FleetConnection
            if let idle = reused {
                connection = idle
            } else {
                do {
                    connection = try await connect()
                } catch {
                    giveBack(nil)
                    throw error
                }
            }
            reused = nil
            do {
                return try await exchange(on: connection, head: head, body: body, maxResponseBytes: maxResponseBytes, timeout: timeout,
                                          keepingSlotIfUnanswered: attempt < Self.attempts)
            } catch is FleetConnection.Unanswered where attempt < Self.attempts {
                // Closed before any answer (by the server while it idled, or at once on a machine so
                // busy that the server's idle timeout passed): again, on a new connection in its slot.
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }

    /// Times a request is sent when its connection closes before any answer arrives.
    static let attempts = 3

    /// An idle connection, or nil when the caller holds a slot to open one.
    private func lease() async -> FleetConnection? {
        enum Lease { case idle(FleetConnection), open, wait }
        let now = pool.withLock { p -> Lease in
            if let c = p.idle.popLast() { return .idle(c) }
            if p.open < maxConnections { p.open += 1; return .open }
            return .wait
        }
        switch now {
        case .idle(let c): return c
        case .open: return nil
        case .wait:
            return await withCheckedContinuation { waiter in
                // Asked again under the lock: one may have come back since.
                let handed = pool.withLock { p -> FleetConnection?? in
                    if let c = p.idle.popLast() { return .some(c) }
                    if p.open < maxConnections { p.open += 1; return .some(nil) }
                    p.waiters.append(waiter)
                    return .none
                }
                if let handed { waiter.resume(returning: handed) }
            }
        }
    }

    /// Returns a connection to the pool (to the first waiting request, else idle), or with nil
    /// frees its slot (for the first waiting request to open one).
    private func giveBack(_ connection: FleetConnection?) {
        let waiter = pool.withLock { p -> CheckedContinuation<FleetConnection?, Never>? in
            if p.waiters.isEmpty {
                if let connection { p.idle.append(connection) } else { p.open -= 1 }
                return nil
            }
            return p.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    private func exchange(on connection: FleetConnection, head: HTTPRequestHead, body: [UInt8], maxResponseBytes: Int,
                          timeout: TimeAmount, keepingSlotIfUnanswered: Bool) async throws -> Response {
        do {
            let response = try await connection.send(head: head, body: body, maxResponseBytes: maxResponseBytes, timeout: timeout)
            if !response.keepAlive { connection.close() }
            giveBack(response.keepAlive ? connection : nil)
            return response.response
        } catch let unanswered as FleetConnection.Unanswered where keepingSlotIfUnanswered {
            connection.close()
            throw unanswered
        } catch {
            connection.close()
            giveBack(nil)
            throw error
        }
    }

    private func connect() async throws -> FleetConnection {
        let handler = FleetConnection.Handler()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(15))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get()
        return FleetConnection(channel: channel, handler: handler)
    }

    /// A sync exchange (`POST /v1/sync`, SPEC §2): the deflated response body, or the error its
    /// status means, as `HTTPTransport` reads them.
    func sync(_ body: [UInt8], token: String) async throws -> [UInt8] {
        let response = try await send(.POST, HTTPAPI.syncPath, headers: HTTPTransport.syncHeaders(token: token), body: body)
        return try HTTPTransport.syncResponseBody(status: response.status, headers: response.headers, body: response.body)
    }

    /// Connections idle now, and open (idle or in use).
    var idleCount: Int { pool.withLock { $0.idle.count } }
    var openCount: Int { pool.withLock { $0.open } }

    /// Closes the idle connections' sockets but leaves them in the pool, as a server that closes
    /// connections while they idle leaves them (for tests: the next requests must replace them).
    func closeIdleSockets() async {
        for connection in pool.withLock({ $0.idle }) { try? await connection.channel.close() }
    }

    /// Closes every idle connection.
    func shutdown() {
        let closing = pool.withLock { p in
            defer { p.open -= p.idle.count; p.idle.removeAll() }
            return p.idle
        }
        for connection in closing { connection.close() }
    }
}

/// One connection and the handler that gathers its current response.
struct FleetConnection: Sendable {
    let channel: any Channel
    let handler: Handler

    /// The connection failed or closed before any of the response arrived.
    struct Unanswered: Error, CustomStringConvertible {
        let description: String
    }

    func send(head: HTTPRequestHead, body: [UInt8], maxResponseBytes: Int,
              timeout: TimeAmount) async throws -> (response: FleetConnections.Response, keepAlive: Bool) {
        let promise = channel.eventLoop.makePromise(of: (FleetConnections.Response, Bool).self)
        let channel = self.channel, handler = self.handler
        channel.eventLoop.execute {
            handler.start(promise, maxResponseBytes: maxResponseBytes, timeout: timeout, context: channel)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        let (response, keepAlive) = try await promise.futureResult.get()
        return (response, keepAlive)
    }

    func close() { channel.close(promise: nil) }

    /// Gathers one response at a time; used on its channel's event loop only.
    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart

        private var promise: EventLoopPromise<(FleetConnections.Response, Bool)>?
        private var head: HTTPResponseHead?
        private var body: ByteBuffer?
        private var maxResponseBytes = 0
        private var deadline: Scheduled<Void>?

        func start(_ promise: EventLoopPromise<(FleetConnections.Response, Bool)>, maxResponseBytes: Int, timeout: TimeAmount,
                   context channel: any Channel) {
            guard channel.isActive else {
                promise.fail(FleetConnection.Unanswered(description: "the connection to \(channel.remoteAddress?.description ?? "the server") is closed"))
                return
            }
            self.promise = promise
            self.maxResponseBytes = maxResponseBytes
            head = nil
            body = nil
            deadline = channel.eventLoop.scheduleTask(in: timeout) { [weak self] in
                self?.fail(FleetConnections.Failure(description: "no response within \(timeout)"))
                channel.close(promise: nil)
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
            case .body(var part):
                if body == nil { body = part } else { body!.writeBuffer(&part) }
                if (body?.readableBytes ?? 0) > maxResponseBytes {
                    fail(FleetConnections.Failure(description: "a response over \(maxResponseBytes) bytes"))
                    context.close(promise: nil)
                }
            case .end:
                guard let promise, let head else { return }
                self.promise = nil
                deadline?.cancel()
                let bytes = body.map { Array($0.readableBytesView) } ?? []
                promise.succeed((FleetConnections.Response(status: Int(head.status.code), headers: head.headers, body: bytes), head.isKeepAlive))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(FleetConnection.Unanswered(description: "the server closed the connection"))
            context.fireChannelInactive()
        }

        /// Fails the response in progress: as unanswered when nothing of it had arrived.
        private func fail(_ error: any Error) {
            guard let promise else { return }
            self.promise = nil
            deadline?.cancel()
            if head == nil, !(error is FleetConnections.Failure) {
                promise.fail(FleetConnection.Unanswered(description: "\(error)"))
            } else {
                promise.fail(error)
            }
        }
    }
}
