import NIOCore
import NIOPosix

/// A loopback TCP port nothing listens on now, for a child process that must be given its port
/// (a PostgreSQL cluster of a test's own): the kernel picks it, so two suites on one machine do
/// not start on the same fixed port. The port is free when returned; the child binds it a moment
/// later.
public enum FreePort {
    public static func take() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw TestFailure("a socket bound to 127.0.0.1:0 has no port") }
        return port
    }
}
