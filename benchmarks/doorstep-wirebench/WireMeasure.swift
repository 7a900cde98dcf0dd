import FieldModel
import Foundation
import SyncCore
import SyncProtocol

/// One workload's figures: Doorstep beside the JSON baseline, measured in the same run.
struct WireResult {
    let name: String
    let units: Int              // field changes (pushes) or records (bootstrap)
    let unitName: String
    let doorstepBytes: Int
    let jsonBytes: Int
    let encodeSeconds: Double   // per message, Doorstep
    let decodeSeconds: Double
    let jsonEncodeSeconds: Double
    let jsonDecodeSeconds: Double

    var dictionary: [String: Any] {
        ["workload": name, "units": units, "unit": unitName, "doorstep_bytes": doorstepBytes, "json_bytes": jsonBytes,
         "doorstep_bytes_per_unit": Double(doorstepBytes) / Double(units), "json_bytes_per_unit": Double(jsonBytes) / Double(units),
         "ratio_to_json": Double(doorstepBytes) / Double(jsonBytes),
         "encode_units_per_s": Double(units) / encodeSeconds, "decode_units_per_s": Double(units) / decodeSeconds,
         "json_encode_units_per_s": Double(units) / jsonEncodeSeconds, "json_decode_units_per_s": Double(units) / jsonDecodeSeconds]
    }
}

enum WireMeasure {
    static func seconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        for _ in 0..<repeats {
            let t = try clock.measure(body)
            best = min(best, t)
        }
        return Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    }

    static func push(_ name: String, _ changes: [Change], fieldChanges: Int, repeats: Int) -> WireResult {
        let request = SyncRequest(replica: WireWorkloads.device, appVersion: "1.0.0", cursors: [:], changes: changes,
                                  health: DeviceHealth(), pageLimit: 500, deviceTimeMilliseconds: 0)
        let bytes = SyncCodec.encodeRequest(request)
        let json = Deflate.compress(JSONBaseline.changes(changes))
        return WireResult(
            name: name, units: fieldChanges, unitName: "field change", doorstepBytes: bytes.count, jsonBytes: json.count,
            encodeSeconds: seconds(repeats) { _ = SyncCodec.encodeRequest(request) },
            decodeSeconds: seconds(repeats) { _ = try! SyncCodec.decodeRequest(bytes, limits: MessageLimits(maxChanges: 100_000)) },
            jsonEncodeSeconds: seconds(repeats) { _ = Deflate.compress(JSONBaseline.changes(changes)) },
            jsonDecodeSeconds: seconds(repeats) { _ = JSONBaseline.parse(try! Inflate.decompress(json)) })
    }

    static func bootstrap(_ name: String, _ states: [RecordState], repeats: Int) -> WireResult {
        let response = SyncResponse(serverTimeMilliseconds: 0, page: states)
        let bytes = SyncCodec.encodeResponse(response)
        let json = Deflate.compress(JSONBaseline.states(states))
        return WireResult(
            name: name, units: states.count, unitName: "record", doorstepBytes: bytes.count, jsonBytes: json.count,
            encodeSeconds: seconds(repeats) { _ = SyncCodec.encodeResponse(response) },
            decodeSeconds: seconds(repeats) { _ = try! SyncCodec.decodeResponse(bytes, limits: MessageLimits(maxRecords: 100_000)) },
            jsonEncodeSeconds: seconds(repeats) { _ = Deflate.compress(JSONBaseline.states(states)) },
            jsonDecodeSeconds: seconds(repeats) { _ = JSONBaseline.parse(try! Inflate.decompress(json)) })
    }

    static func table(_ results: [WireResult]) -> String {
        var lines = ["| workload | Doorstep bytes | per unit | deflated JSON bytes | per unit | Doorstep / JSON | encode units/s (JSON) | decode units/s (JSON) |",
                     "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in results {
            let per = Double(r.doorstepBytes) / Double(r.units), jper = Double(r.jsonBytes) / Double(r.units)
            lines.append("| \(r.name) | \(r.doorstepBytes) | \(fmt(per)) B/\(r.unitName) | \(r.jsonBytes) | \(fmt(jper)) B | \(fmt(Double(r.doorstepBytes) / Double(r.jsonBytes), 3)) | \(Int(Double(r.units) / r.encodeSeconds)) (\(Int(Double(r.units) / r.jsonEncodeSeconds))) | \(Int(Double(r.units) / r.decodeSeconds)) (\(Int(Double(r.units) / r.jsonDecodeSeconds))) |")
        }
        return lines.joined(separator: "\n")
    }

    static func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
}
