import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ServerApp
import Testing

/// A client that stops sending holds no connection for long: silent before its request (the
/// idle timeout) or in the middle of its body (the read timeout) (SPEC §11.2).
@Suite("Connection timeouts")
struct ConnectionTimeoutTests {
    /// A raw TCP connection to the server on loopback.
    struct Connection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        }

        func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, 0) } }

        /// Whether the server closed the connection (reads EOF, after any bytes it sent); never blocks.
        var isClosedByServer: Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 { return true }
                if n < 0 { return errno == ECONNRESET }
            }
        }

        func close() { _ = Glibc.close(fd) }
    }

    @Test func silentAndTricklingClientsAreDisconnected() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-timeouts-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = dir
        configuration.port = 0
        configuration.security.idleTimeoutSeconds = 1
        configuration.security.readTimeoutSeconds = 1
        let running = try await buildApplication(configuration, logger: .silent).start()
        defer { Task { await running.stop() } }

        let opened = ContinuousClock.now
        let silent = try Connection(port: running.port)
        let trickling = try Connection(port: running.port)
        trickling.send("POST /v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"co")
        let healthy = try Connection(port: running.port)
        healthy.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        // Asked only while the timeouts cannot have passed: a loaded machine may wake this task late.
        if ContinuousClock.now - opened < .milliseconds(800) {
            #expect(!silent.isClosedByServer && !trickling.isClosedByServer, "both are open before the timeouts")
        }
        try await Task.sleep(for: .milliseconds(2_200))
        #expect(silent.isClosedByServer, "a connection that sent nothing for the idle timeout is closed")
        #expect(trickling.isClosedByServer, "a body that stopped for the read timeout closes its connection")
        for c in [silent, trickling, healthy] { c.close() }
        await running.stop()
    }
}
