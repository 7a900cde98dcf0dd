import Glibc

/// Fields of a process's `/proc/<pid>/status` and `stat` (Linux): how the benchmarks and the load
/// runs read resident memory and CPU time.
public enum ProcessStatus {
    /// The value of a kB field such as `VmRSS:` or `VmHWM:`, in kB; nil when the process is gone
    /// or the field is absent. `pid` "self" is this process.
    public static func kilobytes(_ field: String, pid: String = "self") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// User plus system CPU time the process has used, seconds; nil when it is gone.
    public static func cpuSeconds(pid: String = "self") -> Double? {
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
