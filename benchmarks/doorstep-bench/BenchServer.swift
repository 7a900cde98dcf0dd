import DataProtection
import FieldModel
import Foundation
import ServerEngine
import ServerSQLite
import SyncCore
import SyncProtocol
import SyntheticData

/// A server store seeded with generated households (no members: the ingest and incremental
/// benchmarks are about the size of the record table), grown in steps.
final class BenchServer {
    let path: String
    let store: SQLiteSyncStore
    let engine: SyncEngine
    private(set) var households: [Household] = []
    private var chunk: UInt64 = 0
    static let serverReplica = ReplicaID(0x5E12_0000_0000_0001)
    static let admin = WorkerID(unchecked: "bench-admin")

    /// `sealed: false` stores states plain, to measure what sealing costs (`SealingBench`).
    init(path: String, sealed: Bool = true) throws {
        self.path = path
        for suffix in ["", "-wal", "-shm", ".keys"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let keys = KeyRing.generate()
        store = try SQLiteSyncStore(path: path, codec: sealed ? StoredRecordCodec(keys: keys) : .unsealed(indexing: keys), chains: LogChains(keys: keys))
        var configuration = SyncEngine.Configuration(serverReplica: Self.serverReplica)
        configuration.scopeWarningRecords = .max
        configuration.scopeBlockingRecords = .max
        configuration.importBatchSize = 5_000
        engine = SyncEngine(store: store, configuration: configuration)
    }

    /// Adds households until the store holds `target`, 50,000 generated at a time.
    func grow(to target: Int, now: Int64) async throws -> Double {
        let started = ContinuousClock.now
        while households.count < target {
            chunk += 1
            let n = min(50_000, target - households.count)
            let fresh = Array(DatasetGenerator.generate(DatasetSpec(seed: 9_000 + chunk, size: .households(n))).households.prefix(n))
            let result = try await engine.importRecords(fresh.map(ImportRecord.init), by: Self.admin, now: now)
            guard result.rejected.isEmpty else { throw BenchError("seeding refused \(result.rejected.count) records: \(result.rejected[0].message)") }
            households += fresh
        }
        return (ContinuousClock.now - started).seconds
    }

    /// The township whose reviewer syncs in the benchmarks: the first seeded household's. Its
    /// size stays the same while the store grows around it, as a real device's scope does.
    var township: TownshipCode { households[0].village.township }
    var townshipHouseholds: [Household] { households.filter { $0.village.township == township } }

    /// A township reviewer's device (of the benchmarks' township unless told): it may change
    /// incomes in its township.
    func device(replica: UInt64, township: TownshipCode? = nil) -> DeviceContext {
        let township = township ?? self.township
        let worker = Worker(id: WorkerID(unchecked: "bench-reviewer-\(township)"), name: "乡镇审核", role: .townshipReviewer,
                            assignment: Assignment(townships: [township]))
        return DeviceContext(worker: worker, deviceID: "bench-device-\(replica)", replica: ReplicaID(replica))
    }

    /// One request of `changes` income updates to the township's households picked from
    /// `offset`, each against the record's current version, with the smallest pull (one record).
    func incomeRequest(device: DeviceContext, in targets: [Household], counter: inout UInt64, offset: Int, changes: Int, now: Int64) async throws -> SyncRequest {
        var batch: [Change] = []
        for i in 0..<changes {
            let h = targets[(offset + i * 7_919) % targets.count]
            let key = RecordKey(.household, h.id, scope: h.village)
            guard let stored = try await store.record(key) else { throw BenchError("household \(h.id) is missing") }
            counter += 1
            batch.append(Change(dot: Dot(device.replica, counter), record: key, operation: .set(Household.Field.monthlyIncomeFen.id, .int(Int64(counter % 90_000))),
                                context: stored.version, hlc: HLCTimestamp(milliseconds: now, logical: UInt16(i)), author: device.worker.id))
        }
        return SyncRequest(replica: device.replica, appVersion: "bench", cursors: [:], changes: batch, health: DeviceHealth(), pageLimit: 1,
                           deviceTimeMilliseconds: now)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
