import FieldModel

/// Counts over the logs that `/metrics` reports (applied changes by collection, conflict
/// events by kind), kept as counters by the writes that append the logs, so a scrape reads a
/// handful of rows instead of counting an ever-growing log.
///
/// Counter names: `applied:<collection number>` and `conflict:<kind>`.
public enum LogCounts {
    public static func increments(audit: [AuditEntry], conflicts: [ConflictLogEntry]) -> [(name: String, n: Int64)] {
        var out: [String: Int64] = [:]
        for a in audit where a.outcome == .applied { out["applied:\(a.record.collection.rawValue)", default: 0] += 1 }
        for c in conflicts { out["conflict:\(c.kind.rawValue)", default: 0] += 1 }
        return out.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Applied changes by collection name, from the counters.
    public static func appliedChanges(_ counters: [String: Int64]) -> [String: Int] {
        counters.reduce(into: [:]) { out, entry in
            guard entry.key.hasPrefix("applied:"), let raw = UInt8(entry.key.dropFirst("applied:".count)) else { return }
            out[RecordCollection(rawValue: raw)?.name ?? "#\(raw)"] = Int(entry.value)
        }
    }

    /// Conflict-log entries by kind, from the counters.
    public static func conflictEvents(_ counters: [String: Int64]) -> [String: Int] {
        counters.reduce(into: [:]) { out, entry in
            guard entry.key.hasPrefix("conflict:") else { return }
            out[String(entry.key.dropFirst("conflict:".count))] = Int(entry.value)
        }
    }
}
