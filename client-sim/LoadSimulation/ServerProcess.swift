import Foundation

/// A `doorstep-server serve` process: started on a free port, found by its log line, stopped
/// with SIGTERM (graceful) or SIGKILL. For tests, multi-instance runs and crash loops.
public final class ServerProcess: Sendable {
    public let child: ChildProcess
    public let url: URL
    public let port: Int
    public let dataDirectory: String

    /// Starts `executable serve --port 0 --data-dir dataDirectory` plus `arguments` (without
    /// `--data-dir` when `dataDirectory` is nil: the default, in `directory`), with `environment`
    /// added to this process's, and waits (up to 20 s) for its `listening … port=N` line.
    public static func start(executable: URL, dataDirectory: String?, arguments: [String] = [], environment: [String: String] = [:],
                             in directory: String? = nil, log: String) async throws -> ServerProcess {
        let dataArguments = dataDirectory.map { ["--data-dir", $0] } ?? []
        let child = try ChildProcess.start(executable, ["serve", "--port", "0"] + dataArguments + arguments, environment: environment,
                                           in: directory, log: log)
        return try await attach(child, dataDirectory: dataDirectory ?? (directory ?? FileManager.default.currentDirectoryPath) + "/doorstep-data")
    }

    /// Waits (up to 20 s) for a started `serve` process's `listening … port=N` line; stops it
    /// if that never comes.
    public static func attach(_ child: ChildProcess, dataDirectory data: String) async throws -> ServerProcess {
        for _ in 0..<400 {
            if let line = child.logText.split(separator: "\n").first(where: { $0.contains("listening") && $0.contains("port=") }),
               let range = line.range(of: "port="), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) {
                return ServerProcess(child: child, port: port, dataDirectory: data)
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        child.stop()
        throw LoadError(.server, "doorstep-server did not start: \(child.logText)")
    }

    private init(child: ChildProcess, port: Int, dataDirectory: String) {
        self.child = child
        self.port = port
        self.url = URL(string: "http://127.0.0.1:\(port)")!
        self.dataDirectory = dataDirectory
    }

    public var log: String { child.log ?? "" }

    /// The administrator token the first start wrote.
    public var adminToken: String {
        get throws { try String(contentsOfFile: dataDirectory + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The process's peak resident memory so far (VmHWM), bytes; nil once it has exited.
    public var peakResidentBytes: Int? { ProcessStatus.kilobytes("VmHWM:", pid: "\(child.pid)").map { $0 * 1024 } }

    /// The process's resident memory now (VmRSS), bytes; nil once it has exited.
    public var residentBytes: Int? { ProcessStatus.kilobytes("VmRSS:", pid: "\(child.pid)").map { $0 * 1024 } }

    /// CPU time the process has used so far, seconds; nil once it has exited.
    public var cpuSeconds: Double? { ProcessStatus.cpuSeconds(pid: "\(child.pid)") }

    /// SIGKILL, then waits for the exit.
    public func kill() { child.kill() }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 { child.stop() }
}
