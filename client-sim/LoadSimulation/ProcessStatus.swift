/// Fields of a process's `/proc/<pid>/status` (Linux): how the benchmarks and the load runs read
/// resident memory.
public enum ProcessStatus {
    /// The value of a kB field such as `VmRSS:` or `VmHWM:`, in kB; nil when the process is gone
    /// or the field is absent. `pid` "self" is this process.
    public static func kilobytes(_ field: String, pid: String = "self") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}
