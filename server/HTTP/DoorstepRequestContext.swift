import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's, plus the connection's peer address, from
/// which the client's address is read (`ClientAddress`) for per-address limits and the
/// security log.
public struct DoorstepRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
