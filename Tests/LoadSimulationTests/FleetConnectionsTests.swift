import Foundation
@testable import LoadSimulation
import NIOCore
import NIOPosix
import Testing

/// The fleet's own HTTP/1.1 connections against a real server: kept alive and reused, sent again
/// once when the server closed an idle one, bounded in response size and in time.
@Suite("The fleet's keep-alive connections", .serialized)
struct FleetConnectionsTests {
    @Test func reusesConnectionsAndRecoversFromOnesTheServerClosedWhileIdle() async throws {
        let dir = NSTemporaryDirectory() + "fleet-connections-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await ServerProcess.start(executable: ChildProcess.siblings.appendingPathComponent("doorstep-server"),
                                                   dataDirectory: dir + "/server", log: dir + "/server.log")
        defer { server.stop() }
        let connections = try #require(FleetConnections(url: server.url))

        // Back to back: one connection carries them all.
        for _ in 0..<20 {
            let response = try await connections.send(.GET, "/healthz", headers: [])
            #expect(response.status == 200 && !response.body.isEmpty)
        }
        #expect(connections.idleCount == 1 && connections.openCount == 1, "sequential requests share one kept-alive connection")

        // A connection closed while it idled (as a server's idle timeout closes it): the next
        // request finds it closed, is sent again on a new connection and is answered.
        await connections.closeIdleSockets()
        let afterIdle = try await connections.send(.GET, "/healthz", headers: [])
        #expect(afterIdle.status == 200)
        #expect(connections.openCount == 1, "the closed connection's slot went to its replacement")

        // A sync without a token is the server's 401, read as the error it means.
        await #expect(throws: (any Error).self) { try await connections.sync([1, 2, 3], token: "not-a-token") }
        let refused = try await connections.send(.POST, "/v1/sync", headers: [], body: [1, 2, 3])
        #expect(refused.status == 401, "\(refused.status) \(String(decoding: refused.body, as: UTF8.self))")

        // Many at once over at most four connections: the rest wait their turn, every answer arrives.
        let four = try #require(FleetConnections(url: server.url, maxConnections: 4))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 { group.addTask { try await four.send(.GET, "/healthz", headers: []).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 64 && statuses.allSatisfy { $0 == 200 })
        #expect(four.openCount <= 4 && four.idleCount == four.openCount, "open \(four.openCount), idle \(four.idleCount)")
        four.shutdown()

        // A body over the limit fails the request, named by the limit.
        let tooLarge = await #expect(throws: FleetConnections.Failure.self) {
            try await connections.send(.GET, "/healthz", headers: [], maxResponseBytes: 4)
        }
        #expect(tooLarge?.description.contains("over 4 bytes") == true)
        connections.shutdown()
        #expect(connections.idleCount == 0)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        // A real listener that accepts and reads but never writes a byte.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        let connections = try #require(FleetConnections(url: URL(string: "http://127.0.0.1:\(port)")!))
        let started = ContinuousClock.now
        let failure = await #expect(throws: FleetConnections.Failure.self) {
            try await connections.send(.GET, "/healthz", headers: [], timeout: .milliseconds(300))
        }
        #expect(failure?.description.contains("no response within") == true)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(FleetConnections(url: URL(string: "https://127.0.0.1:\(port)")!) == nil, "https goes through AsyncHTTPClient")
    }
}
