import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on loopback between a client and a server that plays the database network's
/// faults on real sockets:
/// - `silence()`: every connection stays open and is read from both sides, but nothing passes
///   on, as in a partition or behind a proxy that lost its backend without closing; new
///   connections are accepted and go silent too;
/// - `cut()`: every open connection is closed and new ones are accepted and closed at once, as
///   HAProxy does in front of a killed primary before a standby takes over;
/// - `restore()`: new connections are relayed again (bytes dropped while silent stay lost, so
///   connections opened before are good for nothing).
public final class FaultyRelay: Sendable {
    public let port: Int
    private let channel: any Channel
    private let state: RelayState

    public static func start(to host: String, port target: Int) async throws -> FaultyRelay {
        let state = RelayState()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { inbound in
                guard state.mode != .cut else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop).connect(host: host, port: target).flatMap { outbound in
                    state.opened(inbound, outbound)
                    return inbound.pipeline.addHandler(RelayHalf(peer: outbound, state: state)).flatMap {
                        outbound.pipeline.addHandler(RelayHalf(peer: inbound, state: state))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FaultyRelay(channel: channel, state: state)
    }

    private init(channel: any Channel, state: RelayState) {
        self.channel = channel
        self.state = state
        port = channel.localAddress?.port ?? 0
    }

    public func silence() { state.set(.silent) }

    public func cut() {
        state.set(.cut)
        for channel in state.takeOpen() { channel.close(promise: nil) }
    }

    public func restore() { state.set(.relaying) }

    public func stop() async { try? await channel.close() }
}

private final class RelayState: Sendable {
    enum Mode: UInt8 { case relaying, silent, cut }
    private let current = Atomic<UInt8>(Mode.relaying.rawValue)
    private let open = Mutex<[any Channel]>([])

    var mode: Mode { Mode(rawValue: current.load(ordering: .sequentiallyConsistent)) ?? .relaying }
    func set(_ mode: Mode) { current.store(mode.rawValue, ordering: .sequentiallyConsistent) }
    func opened(_ channels: any Channel...) { open.withLock { $0 += channels } }
    func takeOpen() -> [any Channel] { open.withLock { open in defer { open = [] }; return open } }
}

/// One side of a relayed connection: what it reads it writes to the other side, unless silent.
private final class RelayHalf: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let peer: any Channel
    let state: RelayState

    init(peer: any Channel, state: RelayState) {
        self.peer = peer
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state.mode {
        case .relaying: peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        case .silent: break
        case .cut:
            // A connection that opened while the relay was being cut is cut too.
            context.close(promise: nil)
            peer.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A side that closes closes the other, unless the relay is silent.
        if state.mode != .silent { peer.close(promise: nil) }
        context.fireChannelInactive()
    }
}
