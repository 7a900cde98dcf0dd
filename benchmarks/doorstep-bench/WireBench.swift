import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// Wire size of the three workloads of DESIGN §8, deflated, beside two baselines built from
/// the same changes in the same run: deflated JSON of only the changed fields, and SQLite's
/// own session patchset (deflated the same way). Codec throughput goes in the notes, with the
/// same message in protocol version 1 (the version before record handles) for before and after.
struct WireBench {
    let seed: UInt64
    let repeats: Int

    func run() throws -> [BenchResult] {
        let workloads = WireWorkloads(seed: seed)
        let review = workloads.reviewEdits(households: 1_000, seed: seed)
        let daily = workloads.reviewEdits(households: 50, seed: seed + 1)
        let visits = workloads.newVisits(50, startCounter: UInt64(daily.count + 1), seed: seed + 2)
        let households = Array(workloads.states.prefix(5_000))
        let scattered = workloads.reviewEdits(households: 1_000, seed: seed, shuffled: true)
        return try push("1,000 households × 3 fields", review, over: workloads.states, scattered: scattered)
            + push("daily sync: 50 households × 3 fields + 50 new visits", daily + visits, over: workloads.states)
            + bootstrap("bootstrap of 5,000 households", households)
    }

    func push(_ name: String, _ changes: [Change], over states: [RecordState], scattered: [Change]? = nil) throws -> [BenchResult] {
        var request = SyncRequest(replica: WireWorkloads.device, appVersion: "1.0.0", cursors: [:], changes: changes,
                                  health: DeviceHealth(), pageLimit: 500, deviceTimeMilliseconds: 0)
        request.recordHandles = workloadsHandles(states)
        let bytes = SyncCodec.encodeRequest(request)
        var old = request
        old.protocolVersion = 1
        let version1 = SyncCodec.encodeRequest(old)
        WireColumns.report(name, version2: SyncCodec.requestBody(request), version1: SyncCodec.requestBody(old))
        let json = Deflate.compress(JSONBaseline.changes(changes))
        let speeds = [
            seconds { _ = SyncCodec.encodeRequest(request) },
            seconds { _ = try! SyncCodec.decodeRequest(bytes, limits: MessageLimits(maxChanges: 100_000)) },
            seconds { _ = Deflate.compress(JSONBaseline.changes(changes)) },
            seconds { _ = JSONBaseline.parse(try! Inflate.decompress(json)) },
        ].map { Double(changes.count) / $0 }
        let patchset = try SessionPatchset.deflatedBytes(of: changes, over: states)
        var results = rows(name, doorstep: bytes.count, version1: version1.count, json: json.count, patchset: patchset, units: changes.count,
                           unit: "field change", speeds: speeds)
        if let scattered {
            // The same round over households drawn at random, in a random order: handles and the
            // server's counters no longer follow one another.
            var other = request
            other.changes = scattered
            let size = SyncCodec.encodeRequest(other).count
            let patch = try SessionPatchset.deflatedBytes(of: scattered, over: states)
            results.append(BenchResult(name: "wire: \(name), households in a random order", unit: "deflated bytes", doorstep: Double(size),
                                       baseline: Double(patch), baselineName: "a SQLite session patchset of the same changes, deflated",
                                       note: String(format: "%.2f B per field change vs %.2f B", Double(size) / Double(scattered.count),
                                                    Double(patch) / Double(scattered.count))))
        }
        return results
    }

    /// The handles the server's pages gave the households: their sequence numbers, in the order
    /// the township was imported (one write each).
    func workloadsHandles(_ states: [RecordState]) -> [RecordID: UInt64] {
        Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1.key.id, UInt64($0 + 1)) })
    }

    func bootstrap(_ name: String, _ states: [RecordState]) throws -> [BenchResult] {
        var response = SyncResponse(serverTimeMilliseconds: 0, page: states)
        response.pageHandles = states.indices.map { UInt64($0 + 1) }
        let bytes = SyncCodec.encodeResponse(response)
        var old = response
        old.protocolVersion = 1
        let version1 = SyncCodec.encodeResponse(old)
        WireColumns.report(name, version2: SyncCodec.responseBody(response), version1: SyncCodec.responseBody(old))
        let json = Deflate.compress(JSONBaseline.states(states))
        let speeds = [
            seconds { _ = SyncCodec.encodeResponse(response) },
            seconds { _ = try! SyncCodec.decodeResponse(bytes, limits: MessageLimits(maxRecords: 100_000)) },
            seconds { _ = Deflate.compress(JSONBaseline.states(states)) },
            seconds { _ = JSONBaseline.parse(try! Inflate.decompress(json)) },
        ].map { Double(states.count) / $0 }
        let patchset = try SessionPatchset.deflatedBytes(inserting: states)
        return rows(name, doorstep: bytes.count, version1: version1.count, json: json.count, patchset: patchset, units: states.count,
                    unit: "household", speeds: speeds)
    }

    /// Two rows: Doorstep beside deflated JSON, and beside the session patchset.
    func rows(_ name: String, doorstep: Int, version1: Int, json: Int, patchset: Int, units: Int, unit: String, speeds: [Double]) -> [BenchResult] {
        func per(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / Double(units)) + " B per \(unit)" }
        let speed = "encode \(Int(speeds[0]).formatted())/s (JSON \(Int(speeds[2]).formatted())/s), decode \(Int(speeds[1]).formatted())/s (JSON \(Int(speeds[3]).formatted())/s)"
        return [
            BenchResult(name: "wire: \(name)", unit: "deflated bytes", doorstep: Double(doorstep), baseline: Double(json),
                        baselineName: "deflated JSON of only the changed fields (ids and values, no dots, contexts or clocks)",
                        note: "\(per(doorstep)) vs \(per(json)); \(speed)"),
            BenchResult(name: "wire: \(name)", unit: "deflated bytes", doorstep: Double(doorstep), baseline: Double(patchset),
                        baselineName: "a SQLite session patchset of the same changes, deflated",
                        note: "\(per(doorstep)) vs \(per(patchset)); protocol version 1: \(doorstep == version1 ? "the same" : "\(version1) B, \(per(version1))")"),
        ]
    }

    /// The best of `repeats` runs of `body`, in seconds.
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        for _ in 0..<repeats { best = min(best, try clock.measure(body)) }
        return best.seconds
    }
}
