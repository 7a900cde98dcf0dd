import FieldModel

/// How the ops pages write figures: times in China Standard Time, counts with thousands
/// separators, shares as percentages, ages in days.
enum OpsFormat {
    /// `2026-11-29 14:05` in China Standard Time (UTC+8).
    static func time(_ ms: Int64) -> String {
        let local = ms + 8 * 3_600_000
        let date = CalendarDate.chinaStandard(millisecondsSinceEpoch: ms)
        let minutes = Int((local % 86_400_000 + 86_400_000) % 86_400_000 / 60_000)
        return "\(date) \(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
    }

    /// `5,000`, `-1,234`.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    static func seconds(_ s: Double) -> String { s < 10 ? "\((s * 10).rounded() / 10) s" : "\(Int(s.rounded())) s" }

    /// Whole days from `ms` to `now`: `0`, `3`, `12`.
    static func days(from ms: Int64, to now: Int64) -> String { count(Int(max(0, now - ms) / 86_400_000)) }
}
