import FieldModel
import Foundation
import ServerOps
import SyntheticData
import Testing

/// The history writer hands the store batches of exchanges, and a store may fold a batch so each
/// device's status is written once (`SyncRecordBatch`): what the ops page shows of a device must
/// not depend on how its exchanges were batched.
@Suite("Device status from batches of exchanges", .serialized)
struct DeviceStatusBatchTests {
    static let results: [(String, String?)] = [("ok", nil), ("ok", nil), ("http_503", nil), ("conflict", "stale cursor"), ("scope_blocked", "over the level")]

    static func exchanges(seed: UInt64) -> [SyncRecord] {
        var random = SeededGenerator(seed: seed)
        return (0..<240).map { i in
            let (result, reason) = results[Int.random(in: 0..<results.count, using: &random)]
            let health = Bool.random(using: &random) ? nil
                : SyncRecord.Health(outboxCount: Int.random(in: 0...40, using: &random), oldestUnsyncedMilliseconds: nil,
                                    localRecords: Int.random(in: 0...900, using: &random), freeStorageBytes: 1 << 30, appVersion: "1.\(i)",
                                    schemaVersion: 1)
            // Times out of order: an exchange reported late must move nothing back.
            return SyncRecord(deviceID: "d\(i % 9)", worker: WorkerID(unchecked: "w\(Int.random(in: 0..<3, using: &random))"),
                              atMilliseconds: HTTPFixture.now + Int64.random(in: 0..<86_400_000, using: &random),
                              durationMilliseconds: Int64.random(in: 5...900, using: &random), pushed: 1, rejected: 0, pulled: 2,
                              bytesIn: 10, bytesOut: 20, result: result, reason: reason, health: health,
                              overBudget: Bool.random(using: &random), regions: [])
        }
    }

    @Test("a device's status after exchanges written in batches equals its status after the same exchanges written one by one",
          arguments: Deployment.Backend.all)
    func batchedEqualsOneByOne(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            var foldedAFailureThenASuccess = false
            for seed: UInt64 in 1...6 {
                var random = SeededGenerator(seed: seed + 100)
                let records = Self.exchanges(seed: seed)
                let batched = records.map { r in with(r) { $0.deviceID = "s\(seed)-batched-\(r.deviceID)" } }
                let single = records.map { r in with(r) { $0.deviceID = "s\(seed)-single-\(r.deviceID)" } }
                var rest = batched[...]
                while !rest.isEmpty {
                    let n = Int.random(in: 1...60, using: &random)
                    let batch = Array(rest.prefix(n))
                    if let failed = batch.firstIndex(where: { !$0.succeeded }),
                       batch[failed...].contains(where: { $0.succeeded && $0.deviceID == batch[failed].deviceID }) {
                        foldedAFailureThenASuccess = true
                    }
                    try await d.store.recordSyncs(batch)
                    rest = rest.dropFirst(n)
                }
                for r in single { try await d.store.recordSyncs([r]) }

                let statuses = try await d.store.deviceStatuses()
                let prefix = "s\(seed)-"
                let fromBatches = statuses.filter { $0.deviceID.hasPrefix(prefix + "batched-") }
                let oneByOne = statuses.filter { $0.deviceID.hasPrefix(prefix + "single-") }
                #expect(fromBatches.count == 9 && oneByOne.count == 9, "seed \(seed): \(fromBatches.count) and \(oneByOne.count) devices")
                let renamed = fromBatches.map { s in
                    with(s) { $0.deviceID = $0.deviceID.replacingOccurrences(of: "batched-", with: "single-") }
                }
                #expect(renamed == oneByOne, "seed \(seed)")
                #expect(oneByOne.contains { $0.lastFailure != nil && $0.health != nil }, "seed \(seed): failures and health in the statuses")
            }
            #expect(foldedAFailureThenASuccess, "some batch held a device's failure and its later success")
        }
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
