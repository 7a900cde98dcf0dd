import FieldModel
import Foundation
import GRDB
import Replica
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import SyntheticData
import Synchronization

/// A small sync against the server as it is: 50 income changes pushed and a page of 50 pulled.
struct IncrementalBench {
    let server: BenchServer
    let now: Int64

    /// Median seconds of 30 syncs, after 5 unmeasured.
    func measure() async throws -> Double {
        let device = server.device(replica: 0xC000 + UInt64(server.households.count))
        let targets = server.townshipHouseholds
        var counter: UInt64 = 0
        var times: [Double] = []
        for round in 0..<35 {
            var request = try await server.incomeRequest(device: device, in: targets, counter: &counter, offset: round * 50, changes: 50, now: now)
            request.pageLimit = 50
            let started = ContinuousClock.now
            let response = try await server.engine.sync(request, device: device, now: now)
            let elapsed = (ContinuousClock.now - started).seconds
            guard response.rejections.isEmpty else { throw BenchError("incremental sync refused: \(response.rejections[0].message)") }
            if round >= 5 { times.append(elapsed) }
        }
        return times.sorted()[times.count / 2]
    }
}

/// 50-record pushes into the big server, beside plain SQLite upserts of the same batches; then
/// the same number of records pushed by 8 and by 64 devices at once (group commit). Each row is
/// `rounds` rounds of 64 pushes, each round by devices and households of its own: one round
/// takes a few tenths of a second, too short to tell a change from this machine's noise.
struct IngestBench {
    let server: BenchServer
    let scratch: String
    let now: Int64
    static let batches = 64
    static let batchSize = 50
    static let rounds = 5

    func run() async throws -> [BenchResult] {
        let townships = Dictionary(grouping: server.households, by: \.village.township).values.sorted { $0.count > $1.count }
        var doorstep: [Int: Double] = [:]
        var spread: [Int: [Double]] = [:]
        var onePusherBatches: [[Change]] = []
        for pushers in [1, 8, 64] {
            note("ingest: \(Self.rounds) rounds of \(Self.batches) pushes of \(Self.batchSize) by \(pushers) device(s) at once")
            let perPusher = Self.batches / pushers
            // Each pusher is a township reviewer's device changing households of its own.
            let shares = try Self.shares(of: townships, count: pushers * Self.rounds, size: perPusher * Self.batchSize)
            var seconds = 0.0
            for round in 0..<Self.rounds {
                var work: [(DeviceContext, [SyncRequest])] = []
                for p in 0..<pushers {
                    let share = shares[round * pushers + p]
                    let device = server.device(replica: 0xB1_0000 + UInt64((pushers * 100 + p) * Self.rounds + round), township: share[0].village.township)
                    var counter: UInt64 = 0
                    var requests: [SyncRequest] = []
                    for b in 0..<perPusher {
                        requests.append(try await server.incomeRequest(device: device, in: Array(share[(b * Self.batchSize)..<((b + 1) * Self.batchSize)]),
                                                                       counter: &counter, offset: 0, changes: Self.batchSize, now: now))
                    }
                    work.append((device, requests))
                }
                if pushers == 1 { onePusherBatches += work[0].1.map(\.changes) }
                let elapsed = try await Self.push(work, engine: server.engine, now: now)
                seconds += elapsed
                spread[pushers, default: []].append(Double(Self.batches * Self.batchSize) / elapsed)
            }
            doorstep[pushers] = Double(Self.rounds * Self.batches * Self.batchSize) / seconds
        }

        // The baseline holds as many rows, with states of the server's average size.
        let sample = try await server.store.record(RecordKey(.household, server.households[0].id, scope: server.households[0].village))
        let size = sample.map { $0.encoded(includeSupersession: true).count } ?? 300
        let plain = try PlainSQLite(path: scratch + "/plain.sqlite")
        var seq: Int64 = 0
        var generator = SystemRandomNumberGenerator()
        let blob = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for start in stride(from: 0, to: server.households.count, by: 10_000) {
            let rows = server.households[start..<min(start + 10_000, server.households.count)].map { (Data($0.id.bytes), Int64($0.village.rawValue), blob) }
            try plain.upsert(rows, seq: &seq)
        }
        let batches = onePusherBatches.map { changes in changes.map { (Data($0.record.id.bytes), Int64($0.record.scope.rawValue), blob) } }
        let plainStarted = ContinuousClock.now
        for rows in batches { try plain.upsert(rows, seq: &seq) }
        let baseline = Double(batches.count * Self.batchSize) / (ContinuousClock.now - plainStarted).seconds
        let baselineName = "plain SQLite upserts of the same batches, one transaction each, one after another, WAL + synchronous=FULL"
        let households = server.households.count.formatted()
        return [1, 8, 64].map { pushers in
            BenchResult(name: "server ingest: \(Self.batchSize)-record pushes into \(households) households, \(pushers) device\(pushers == 1 ? "" : "s") pushing at once",
                        unit: "records per second", doorstep: doorstep[pushers]!, baseline: baseline, baselineName: baselineName,
                        note: (pushers == 1
                            ? "a township reviewer's device; Doorstep also checks, merges, logs and indexes every change and answers with a page"
                            : "\(Self.batches) pushes shared by \(pushers) township reviewers' devices; concurrent pushes share a transaction (group commit)")
                            + "; \(Self.rounds) rounds, records over their total time (rounds \(Self.range(spread[pushers]!)) records/s)")
        }
    }

    /// Times `work` (each device's requests one after another, the devices at once), in seconds.
    static func push(_ work: [(DeviceContext, [SyncRequest])], engine: SyncEngine, now: Int64) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (device, requests) in work {
                group.addTask {
                    for r in requests {
                        let response = try await engine.sync(r, device: device, now: now)
                        guard response.rejections.isEmpty else { throw BenchError("ingest refused: \(response.rejections[0].message)") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - started).seconds
    }

    static func range(_ rates: [Double]) -> String {
        "\(Int(rates.min()!.rounded()).formatted())–\(Int(rates.max()!.rounded()).formatted())"
    }

    /// `count` slices of `size` households, each within one township: consecutive slices of the
    /// largest townships first.
    static func shares(of townships: [[Household]], count: Int, size: Int) throws -> [[Household]] {
        var out: [[Household]] = []
        for households in townships {
            var start = 0
            while out.count < count, start + size <= households.count {
                out.append(Array(households[start..<(start + size)]))
                start += size
            }
        }
        guard out.count == count else { throw BenchError("the store holds \(out.count) township slices of \(size) households, \(count) needed") }
        return out
    }
}

/// A device's bootstrap of a township (households, members, a year of visits) through the
/// whole stack in process (encode, deflate, engine, decode, apply), beside plain inserts.
struct BootstrapBench {
    let scratch: String
    let now: Int64

    func run() async throws -> [BenchResult] {
        let dataset = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .township))
        let server = try BenchServer(path: scratch + "/township.sqlite")
        let records = dataset.households.map(ImportRecord.init) + dataset.members.map(ImportRecord.init) + dataset.visits.map(ImportRecord.init)
        let imported = try await server.engine.importRecords(records, by: BenchServer.admin, now: now)
        guard imported.rejected.isEmpty else { throw BenchError("township import refused \(imported.rejected.count)") }
        let township = dataset.villages[0].code.township
        let worker = Worker(id: WorkerID(unchecked: "bench-reviewer"), name: "审核", role: .townshipReviewer, assignment: Assignment(townships: [township]))
        let identity = DeviceIdentity(replica: ReplicaID(0xD1), worker: worker, deviceID: "bench-phone")
        let device = DeviceContext(worker: worker, deviceID: "bench-phone", replica: identity.replica)
        let replica = try Replica(path: scratch + "/phone.sqlite", identity: identity, wallClock: { now })
        let engine = server.engine
        // The in-process server's share (decoding the request, the engine's page, encoding and
        // deflating it), so that the device's own time can be told apart from it.
        let serverTime = Mutex(Duration.zero)
        let transport = InMemoryTransport { body throws(TransportError) in
            let started = ContinuousClock.now
            defer { serverTime.withLock { $0 += ContinuousClock.now - started } }
            do { return SyncCodec.encodeResponse(try await engine.sync(try SyncCodec.decodeRequest(body), device: device, now: now)) } catch {
                throw TransportError(.refused(status: 500, code: "bench"), "\(error)")
            }
        }
        // The device's own page sizes: 500 records first, then 2,000 while more waits.
        let client = SyncClient(replica: replica, transport: transport, sleep: { _ in }, jitter: { 0.5 }, now: { now })
        let memory = ProcessMemory.Phase()
        let started = ContinuousClock.now
        let report = await client.sync()
        let whole = (ContinuousClock.now - started).seconds
        let doorstep = whole - serverTime.withLock { $0 }.seconds
        let doorstepPeak = memory.peakGrowthMB()
        guard report.succeeded else { throw BenchError("bootstrap failed: \(report.outcome)") }

        var rows: [(Data, Int64, Data)] = []
        for village in try replica.villages() {
            for s in try replica.confirmedStates(in: village) { rows.append((Data(s.key.id.bytes), Int64(village.rawValue), Data(s.encoded(includeSupersession: true)))) }
        }
        try replica.close()
        try await server.store.close()
        // The baseline is short (tenths of a second), so one scheduling hiccup moves it: median of three fresh files.
        var plainRuns: [(seconds: Double, peakMB: Double)] = []
        for run in 0..<3 {
            let plain = try PlainSQLite(path: scratch + "/phone-plain-\(run).sqlite")
            var seq: Int64 = 0
            let plainMemory = ProcessMemory.Phase()
            let plainStarted = ContinuousClock.now
            try plain.upsert(rows, seq: &seq)
            plainRuns.append(((ContinuousClock.now - plainStarted).seconds, plainMemory.peakGrowthMB()))
        }
        let baseline = plainRuns.map(\.seconds).sorted()[1]
        let plainPeak = plainRuns.map(\.peakMB).sorted()[1]
        let name = "device bootstrap of a township (\(dataset.households.count.formatted()) households, \(rows.count.formatted()) records)"
        return [
            BenchResult(name: name + ": the device's wall time", unit: "seconds", doorstep: doorstep, baseline: baseline,
                        baselineName: "plain SQLite inserts of the same rows in one transaction (median of 3)",
                        note: "the device's own time: encoding requests, inflating and decoding \(report.exchanges) pages (\(report.bytesDown.formatted()) B down), applying them under the outbox at synchronous=FULL, one transaction a page, digests"),
            BenchResult(name: name + ": wall time with the in-process server", unit: "seconds", doorstep: whole, baseline: baseline,
                        baselineName: "the same plain inserts",
                        note: String(format: "the device and the server in one process: the server's share (the engine's pages, encoding and deflating them) %.2f s", whole - doorstep)),
            BenchResult(name: name + ": peak memory", unit: "MB above the start, peak", doorstep: doorstepPeak, baseline: plainPeak,
                        baselineName: "the same plain inserts",
                        note: "resident set of the process (device and the in-process server) above its level at the start of the phase"),
        ]
    }
}
