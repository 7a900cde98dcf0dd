import FieldModel
import Foundation
import ServerEngine
import Replica
import ServerSQLite
import SyncClient
import SyncCore
import SyncProtocol
import Synchronization

/// A real `SyncEngine` over a real SQLite file, reached through `InMemoryTransport`: each
/// exchange decodes the request, syncs it under the device's current context and encodes the
/// response, unless a fault chosen by the test gets in the way.
final class TestServer: Sendable {
    /// What an exchange runs into.
    enum Fault: Sendable, Hashable {
        /// No connection: the server never sees the request.
        case unreachable
        /// The server commits the request, then the connection drops before the response arrives.
        case lostResponse
        /// The server answers an error status with a code.
        case refused(status: Int, code: String)
        /// 429 with Retry-After.
        case rateLimited(seconds: Int)
        /// The server answers, but with a wrong digest for every village.
        case wrongDigests
    }

    private struct State {
        var contexts: [String: DeviceContext] = [:]
        var queued: [String: [Fault]] = [:]
        var always: [String: Fault] = [:]
        var received: [String: [SyncRequest]] = [:]
        var replicas: [Replica] = []
        var version1: Set<String> = []
    }

    let directory: TemporaryDirectory
    let engine: SyncEngine
    let clock: TestClock
    private let state = Mutex(State())

    init(_ label: String = #function, configure: (inout SyncEngine.Configuration) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory(label)
        clock = TestClock()
        var configuration = SyncEngine.Configuration(serverReplica: Fixture.serverReplica)
        configure(&configuration)
        engine = SyncEngine(store: try SQLiteSyncStore(path: directory.file("server.sqlite")), configuration: configuration)
    }

    /// A server holding the first ten households of village A (and of `others`) with their members.
    static func seeded(_ label: String = #function, others: [VillageCode] = [],
                       configure: (inout SyncEngine.Configuration) -> Void = { _ in }) async throws -> TestServer {
        let server = try TestServer(label, configure: configure)
        let records = ([Fixture.villageA] + others).flatMap { Fixture.seed($0) }
        let result = try await server.engine.importRecords(records, by: Fixture.admin, now: server.clock.milliseconds)
        precondition(result.rejected.isEmpty, "seed import refused \(result.rejected.prefix(3))")
        return server
    }

    /// Runs `body` against a seeded server, then closes every file and removes the directory.
    static func with(_ label: String = #function, others: [VillageCode] = [],
                     configure: (inout SyncEngine.Configuration) -> Void = { _ in },
                     _ body: (TestServer) async throws -> Void) async throws {
        let server = try await seeded(label, others: others, configure: configure)
        do { try await body(server) } catch {
            await server.finish()
            throw error
        }
        await server.finish()
    }

    /// Keeps a device's replica to close it with the server.
    func track(_ replica: Replica) { state.withLock { $0.replicas.append(replica) } }

    func finish() async {
        for replica in state.withLock({ $0.replicas }) { try? replica.close() }
        try? await engine.store.close()
        directory.remove()
    }

    // MARK: devices and faults

    func enrol(_ context: DeviceContext) { state.withLock { $0.contexts[context.deviceID] = context } }

    /// The administrator moves the device's worker: the token now resolves to this assignment.
    func reassign(_ deviceID: String, to assignment: Assignment) {
        state.withLock { $0.contexts[deviceID]?.worker.assignment = assignment }
    }

    /// Faults for the next exchanges of `deviceID`, one each, in order.
    func inject(_ faults: [Fault], for deviceID: String) { state.withLock { $0.queued[deviceID, default: []] += faults } }

    /// A fault for every exchange of `deviceID` until cleared with nil.
    func failAlways(_ fault: Fault?, for deviceID: String) { state.withLock { $0.always[deviceID] = fault } }

    /// Every request the engine was given for `deviceID`, in order.
    /// The device speaks protocol version 1, as a device not yet upgraded: its requests travel in
    /// version 1's encoding, and the server answers in it.
    func speakVersion1(_ deviceID: String) { state.withLock { _ = $0.version1.insert(deviceID) } }

    func received(from deviceID: String) -> [SyncRequest] { state.withLock { $0.received[deviceID] ?? [] } }

    func transport(for deviceID: String) -> InMemoryTransport {
        InMemoryTransport { [self] body throws(TransportError) in try await self.serve(body, deviceID: deviceID) }
    }

    func serve(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8] {
        let (context, fault, version1) = state.withLock { s -> (DeviceContext?, Fault?, Bool) in
            var fault = s.always[deviceID]
            if var queue = s.queued[deviceID], !queue.isEmpty {
                fault = queue.removeFirst()
                s.queued[deviceID] = queue
            }
            return (s.contexts[deviceID], fault, s.version1.contains(deviceID))
        }
        var body = body
        if version1 {
            // A version-1 device never holds a handle (its pages carry none): the same request in version 1's bytes.
            guard var old = try? SyncCodec.decodeRequest(body), old.unresolvedHandles.isEmpty else {
                throw TransportError(.refused(status: 400, code: "inconsistent_message"), "\(deviceID) speaks version 1 but named a handle")
            }
            old.protocolVersion = 1
            body = SyncCodec.encodeRequest(old)
        }
        switch fault {
        case .unreachable: throw .unreachable("\(deviceID): no route to host")
        case .refused(let status, let code): throw TransportError(.refused(status: status, code: code), "\(deviceID) refused")
        case .rateLimited(let seconds): throw TransportError(.rateLimited(retryAfterSeconds: seconds), "slow down")
        case .lostResponse, .wrongDigests, nil: break
        }
        guard let context else { throw TransportError(.refused(status: 401, code: "unauthorized"), "\(deviceID) is not enrolled") }
        let request: SyncRequest
        do { request = try SyncCodec.decodeRequest(body) } catch {
            throw TransportError(.refused(status: 400, code: error.code.rawValue), error.message)
        }
        // Kept as the server understood it: records named by handle carry the ids the handles
        // name now (an unknown one keeps the placeholder); `unresolvedHandles` says which they were.
        var understood = request
        if !request.unresolvedHandles.isEmpty, let ids = try? await engine.store.recordIDs(handles: Array(Set(request.unresolvedHandles.values))) {
            understood = request.resolvingHandles(ids).request
            understood.unresolvedHandles = request.unresolvedHandles
        }
        state.withLock { $0.received[deviceID, default: []].append(understood) }
        var response: SyncResponse
        do {
            response = try await engine.sync(request, device: context, now: clock.milliseconds)
        } catch let e as SyncEngineError {
            throw TransportError(.refused(status: e.code == .storage ? 500 : 400, code: e.code.rawValue), e.message)
        } catch {
            throw TransportError(.refused(status: 500, code: "internal"), "\(error)")
        }
        if fault == .lostResponse { throw .unreachable("\(deviceID): connection cut after the server committed") }
        if fault == .wrongDigests {
            response.digests = response.digests.mapValues { ScopeDigest(value: Digest128(high: 1, low: 2), recordCount: $0.recordCount) }
        }
        return SyncCodec.encodeResponse(response)
    }

    // MARK: what the server holds

    /// The live records of `village`, sorted, and the village's digest.
    func village(_ village: VillageCode) async throws -> (states: [RecordState], digest: ScopeDigest) {
        let page = try await engine.store.pull([village: 0], limit: 1_000_000)
        return (page.records.filter { !$0.isDeleted }.sorted { $0.key < $1.key }, page.digests[village] ?? ScopeDigest())
    }

    /// How many audit entries each dot of `replica` has.
    func auditCounts(of replica: ReplicaID) async throws -> [Dot: Int] {
        var counts: [Dot: Int] = [:]
        for entry in try await engine.store.auditEntries(limit: 1_000_000) where entry.dot.replica == replica {
            counts[entry.dot, default: 0] += 1
        }
        return counts
    }
}
