import DataProtection
import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import SyntheticData

/// What sealing personal data at rest costs, each figure beside the same work unsealed in the
/// same run: server ingest (50-record pushes), a device's bootstrap of a township, and sealing a
/// member's whole state beside sealing its sensitive values one by one (why the whole state).
struct SealingBench {
    let scratch: String
    let households: Int
    let now: Int64

    func run() async throws -> [BenchResult] {
        [try await ingest(), try await bootstrap(), try wholeStateBesideFields()]
    }

    /// The same 60 pushes of 50 income changes into two stores of `households` households, one
    /// sealed and one not; the push order alternates between them to share the machine's noise.
    func ingest() async throws -> BenchResult {
        let sealed = try BenchServer(path: scratch + "/sealed.sqlite", sealed: true)
        let plain = try BenchServer(path: scratch + "/unsealed.sqlite", sealed: false)
        note("sealing: seeding two stores of \(households) households")
        _ = try await sealed.grow(to: households, now: now)
        _ = try await plain.grow(to: households, now: now)
        var seconds: [Bool: Double] = [true: 0, false: 0]
        for server in [sealed, plain] {
            let device = server.device(replica: 0xC1)
            let targets = Array(server.townshipHouseholds.prefix(65 * 50))
            var counter: UInt64 = 0
            var requests: [SyncRequest] = []
            for b in 0..<65 {
                requests.append(try await server.incomeRequest(device: device, in: Array(targets[(b * 50)..<(b * 50 + 50)]), counter: &counter,
                                                               offset: 0, changes: 50, now: now))
            }
            for r in requests.prefix(5) { _ = try await server.engine.sync(r, device: device, now: now) }
            let started = ContinuousClock.now
            for r in requests.dropFirst(5) {
                let response = try await server.engine.sync(r, device: device, now: now)
                guard response.rejections.isEmpty else { throw BenchError("ingest refused: \(response.rejections[0].message)") }
            }
            seconds[server === sealed] = (ContinuousClock.now - started).seconds
        }
        try await sealed.store.close()
        try await plain.store.close()
        return BenchResult(name: "server ingest, sealed: 50-record pushes into \(households.formatted()) households", unit: "records per second",
                           doorstep: 3_000 / seconds[true]!, baseline: 3_000 / seconds[false]!,
                           baselineName: "the same pushes into the same store with states unsealed",
                           note: "every state written is sealed (AES-256-GCM) and every one read opened; ratio = throughput kept")
    }

    /// A township pulled into a fresh replica through the whole stack in process, sealed and
    /// unsealed (the server store sealed in both), median of three each.
    func bootstrap() async throws -> BenchResult {
        let dataset = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .township))
        let server = try BenchServer(path: scratch + "/township-sealing.sqlite", sealed: true)
        let records = dataset.households.map(ImportRecord.init) + dataset.members.map(ImportRecord.init) + dataset.visits.map(ImportRecord.init)
        let imported = try await server.engine.importRecords(records, by: BenchServer.admin, now: now)
        guard imported.rejected.isEmpty else { throw BenchError("township import refused \(imported.rejected.count)") }
        let worker = Worker(id: WorkerID(unchecked: "bench-reviewer"), name: "审核", role: .townshipReviewer,
                            assignment: Assignment(townships: [dataset.villages[0].code.township]))
        var runs: [Bool: [Double]] = [true: [], false: []]
        let now = self.now
        for run in 0..<6 {
            let sealed = run % 2 == 0
            let identity = DeviceIdentity(replica: ReplicaID(0xD100 + UInt64(run)), worker: worker, deviceID: "bench-phone-\(run)")
            let path = scratch + "/sealing-phone-\(run).sqlite"
            let replica = sealed ? try Replica(path: path, identity: identity, wallClock: { now })
                                 : try Replica(unsealedAt: path, identity: identity, wallClock: { now })
            let device = DeviceContext(worker: worker, deviceID: identity.deviceID, replica: identity.replica)
            let engine = server.engine
            let transport = InMemoryTransport { body throws(TransportError) in
                do { return SyncCodec.encodeResponse(try await engine.sync(try SyncCodec.decodeRequest(body), device: device, now: now)) } catch {
                    throw TransportError(.refused(status: 500, code: "bench"), "\(error)")
                }
            }
            let started = ContinuousClock.now
            let report = await SyncClient(replica: replica, transport: transport, pageLimit: 500, sleep: { _ in }, jitter: { 0.5 }, now: { now }).sync()
            runs[sealed]!.append((ContinuousClock.now - started).seconds)
            guard report.succeeded else { throw BenchError("bootstrap failed: \(report.outcome)") }
            try replica.close()
        }
        try await server.store.close()
        let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
        return BenchResult(name: "device bootstrap of a township, sealed replica (\(dataset.households.count.formatted()) households)", unit: "seconds",
                           doorstep: median(runs[true]!), baseline: median(runs[false]!),
                           baselineName: "the same bootstrap into an unsealed replica (median of 3 each, alternating)",
                           note: "each record's confirmed state and view sealed on write")
    }

    /// Every member of a township sealed whole, beside each of its sensitive values sealed one
    /// by one (what sealing fields inside the state would cost), in the same process.
    func wholeStateBesideFields() throws -> BenchResult {
        let dataset = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .township))
        let sealer = Sealer(ring: KeyRing.generate())
        let states = dataset.members.map { m -> (whole: [UInt8], values: [[UInt8]]) in
            let values = m.fieldValues
            let sensitive = values.filter { Schema.isSensitive(.member, $0.key) }.map { Array(String(describing: $0.value).utf8) }
            var state = RecordState(key: RecordKey(.member, m.id, scope: m.village))
            _ = state.apply(Change(dot: Dot(ReplicaID(1), 1), record: state.key, operation: .create(values), context: VersionVector(),
                                   hlc: HLCTimestamp(milliseconds: now, logical: 0), author: WorkerID(unchecked: "w")))
            return (state.encoded(includeSupersession: true), sensitive)
        }
        var wholeBytes = 0, fieldBytes = 0
        let wholeStarted = ContinuousClock.now
        for _ in 0..<5 { for s in states { wholeBytes += sealer.seal(s.whole, purpose: "record-state").count - s.whole.count } }
        let whole = (ContinuousClock.now - wholeStarted).seconds
        let fieldsStarted = ContinuousClock.now
        for _ in 0..<5 { for s in states { for v in s.values { fieldBytes += sealer.seal(v, purpose: "field").count - v.count } } }
        let fields = (ContinuousClock.now - fieldsStarted).seconds
        let n = Double(states.count * 5)
        return BenchResult(name: "sealing one member's state whole (\(states.count.formatted()) members × 5)", unit: "µs per member",
                           doorstep: whole / n * 1e6, baseline: fields / n * 1e6,
                           baselineName: "sealing its \(states.first?.values.count ?? 0) sensitive values one by one",
                           note: "bytes added per member: \(wholeBytes / Int(n)) whole, \(fieldBytes / Int(n)) field by field")
    }
}
