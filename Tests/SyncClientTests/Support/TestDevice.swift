import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncClient
import SyncCore
import Synchronization
import Testing

/// A field device: a real replica file next to the server's, enrolled with the server, syncing
/// through the server's transport on the shared test clock.
struct TestDevice: Sendable {
    let server: TestServer
    let identity: DeviceIdentity
    let path: String
    let replica: Replica
    var pageLimit = 500
    /// The page asked for once more waits: as `pageLimit` unless a test says otherwise, so a
    /// test's small pages stay small.
    var catchUpPageLimit = 500
    var batchLimit = 500
    var configuration = SyncSession.Configuration()
    /// Every wait the client asked for, in milliseconds.
    let sleeps = WaitLog()
    /// How far the phone's own clock is from the shared clock; a test may move it.
    let clockError = ClockError()

    init(_ worker: Worker, replica n: UInt64, on server: TestServer, pageLimit: Int = 500, catchUpPageLimit: Int? = nil,
         busyTimeout: TimeInterval = 10) throws {
        self.server = server
        identity = DeviceIdentity(replica: Fixture.replicaID(n), worker: worker, deviceID: "device-\(n)")
        path = server.directory.file("device-\(n).sqlite")
        let clock = server.clock
        let clockError = self.clockError
        replica = try Replica(path: path, identity: identity, busyTimeout: busyTimeout, wallClock: { clock.milliseconds + clockError.milliseconds })
        self.pageLimit = pageLimit
        self.catchUpPageLimit = catchUpPageLimit ?? pageLimit
        server.track(replica)
        server.enrol(DeviceContext(worker: worker, deviceID: identity.deviceID, replica: identity.replica))
    }

    var deviceID: String { identity.deviceID }

    /// One sync session. Waits advance the shared clock instead of sleeping.
    func sync() async -> SyncReport {
        let clock = server.clock
        let sleeps = self.sleeps
        let client = SyncClient(replica: replica, transport: server.transport(for: deviceID), configuration: configuration,
                                batchLimit: batchLimit, pageLimit: pageLimit, catchUpPageLimit: catchUpPageLimit, appVersion: "test-1.0",
                                sleep: { ms in sleeps.append(ms); clock.advance(by: ms) },
                                jitter: { 0.5 }, now: { clock.milliseconds })
        return await client.sync()
    }

    /// Syncs and requires success.
    @discardableResult
    func syncOK(sourceLocation: SourceLocation = #_sourceLocation) async throws -> SyncReport {
        let report = await sync()
        try #require(report.succeeded, "sync of \(deviceID) ended \(report.outcome)", sourceLocation: sourceLocation)
        return report
    }

    var waits: [Int64] { sleeps.all }
}

/// A phone clock's error, in milliseconds.
final class ClockError: Sendable {
    private let ms = Mutex<Int64>(0)
    var milliseconds: Int64 {
        get { ms.withLock { $0 } }
        set { ms.withLock { $0 = newValue } }
    }
}

/// The waits a client asked for.
final class WaitLog: Sendable {
    private let waits = Mutex<[Int64]>([])
    func append(_ ms: Int64) { waits.withLock { $0.append(ms) } }
    var all: [Int64] { waits.withLock { $0 } }
}

extension SyncReport {
    var failureCode: String? {
        if case .failure(let code, _) = outcome { code } else { nil }
    }
}

/// Checks that `device` holds exactly what the server holds of `village`: the same digest, the
/// same confirmed states, and (with nothing left in its outbox) a view equal to them.
func expectConverged(_ device: TestDevice, _ village: VillageCode, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let server = try await device.server.village(village)
    let replica = device.replica
    #expect(try replica.digest(of: village) == server.digest, "digest of \(village)", sourceLocation: sourceLocation)
    let confirmed = try replica.confirmedStates(in: village).filter { !$0.isDeleted }.sorted { $0.key < $1.key }
    let missing = Set(server.states.map(\.key)).subtracting(confirmed.map(\.key))
    let extra = Set(confirmed.map(\.key)).subtracting(server.states.map(\.key))
    #expect(missing.isEmpty && extra.isEmpty, "records of \(village): missing \(missing), extra \(extra)", sourceLocation: sourceLocation)
    if missing.isEmpty && extra.isEmpty {
        for (mine, theirs) in zip(confirmed, server.states) where !mine.isObservablyEqual(to: theirs) {
            Issue.record("\(mine.key) differs from the server's: \(mine.values) vs \(theirs.values)", sourceLocation: sourceLocation)
        }
    }
    let summary = try replica.outboxSummary()
    #expect(summary.pending == 0 && summary.acknowledgedAwaitingPull == 0, "outbox settled", sourceLocation: sourceLocation)
    let view = try replica.viewStates(in: village).filter { !$0.isDeleted }.sorted { $0.key < $1.key }
    #expect(view.count == confirmed.count && zip(view, confirmed).allSatisfy { $0.isObservablyEqual(to: $1) },
            "the worker's view is the server's state", sourceLocation: sourceLocation)
}
