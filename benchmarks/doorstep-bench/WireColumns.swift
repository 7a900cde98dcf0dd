import Foundation
import SyncProtocol

/// Where a message's bytes go: each column of its batch or page (and of their value columns),
/// raw and deflated alone, in both protocol versions, written to standard error.
///
/// Reads the protobuf wire format directly, so it sees exactly what travels.
enum WireColumns {
    static let batchNames = [1: "replicas", 2: "authors", 3: "record_ids", 4: "collections", 5: "scope_deltas", 6: "context_sizes",
                             7: "context_replicas", 8: "context_counters", 9: "change_counts", 10: "ops", 11: "counter_deltas",
                             12: "hlc_deltas", 13: "author_indexes", 14: "create_sizes", 15: "create_fields", 16: "values",
                             17: "schema_versions", 18: "record_handles", 19: "hlc_millisecond_deltas", 20: "hlc_logicals",
                             21: "context_counter_deltas"]
    static let blockNames = [1: "replicas", 2: "authors", 3: "record_ids", 4: "collections", 5: "scope_deltas", 6: "version_sizes",
                             7: "version_replicas", 8: "version_counters", 9: "created_flags", 10: "created_replicas",
                             11: "created_counter_deltas", 12: "created_hlc_deltas", 13: "created_authors", 14: "field_counts",
                             15: "field_ids", 16: "sibling_counts", 17: "sibling_replicas", 18: "sibling_counter_deltas",
                             19: "sibling_hlc_deltas", 20: "sibling_authors", 21: "tombstone_counts", 22: "values",
                             23: "record_handles", 24: "version_counter_deltas", 25: "created_hlc_millisecond_deltas",
                             26: "created_hlc_logicals"]
    static let valueNames = [1: "kinds", 2: "ints", 3: "texts", 4: "dates", 5: "ids", 6: "id_counts", 7: "id_cards", 8: "digits"]

    static func report(_ workload: String, version2: [UInt8], version1: [UInt8]) {
        for (version, body) in [(1, version1), (2, version2)] {
            // The batch is field 6 of a request, the page field 5 of a response.
            let top = fields(body)
            let (bulk, names) = top[6].map { ($0, batchNames) } ?? (top[5] ?? [], blockNames)
            let columns = fields(bulk.flatMap { $0 })
            var lines: [String] = []
            for (number, parts) in columns.sorted(by: { $0.key < $1.key }) {
                let name = names[number] ?? "field \(number)"
                if name == "values" {
                    for (v, vparts) in fields(parts.flatMap { $0 }).sorted(by: { $0.key < $1.key }) {
                        lines.append(line("values." + (valueNames[v] ?? "\(v)"), vparts))
                    }
                } else {
                    lines.append(line(name, parts))
                }
            }
            note("wire columns, \(workload), protocol version \(version): whole body \(body.count) B raw, \(Deflate.compress(body).count) B deflated\n  "
                 + lines.joined(separator: "\n  "))
        }
    }

    static func line(_ name: String, _ parts: [[UInt8]]) -> String {
        let payload = parts.flatMap { $0 }
        return "\(name): \(payload.count) B raw, \(Deflate.compress(payload).count) B deflated alone"
    }

    /// The payloads of each field number of a message (length-delimited fields only: every
    /// column of the bulk messages is packed or bytes; other wire types are skipped).
    static func fields(_ bytes: [UInt8]) -> [Int: [[UInt8]]] {
        var out: [Int: [[UInt8]]] = [:]
        var i = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return value
        }
        while i < bytes.count {
            let tag = varint()
            switch tag & 7 {
            case 0: _ = varint()
            case 1: i += 8
            case 5: i += 4
            case 2:
                let n = Int(varint())
                out[Int(tag >> 3), default: []].append(Array(bytes[i..<min(bytes.count, i + n)]))
                i += n
            default: return out
            }
        }
        return out
    }
}
