import Foundation
import Synchronization

/// A `doorstep-server serve` process: started on a free port, found by its log line, stopped
/// with SIGTERM (graceful) or SIGKILL. For tests, multi-instance runs and crash loops.
public final class ServerProcess: Sendable {
    public let process: Process
    public let url: URL
    public let port: Int
    public let log: String
    public let dataDirectory: String

    /// Starts `executable serve --port 0 --data-dir dataDirectory` plus `arguments`, with
    /// `environment` added to this process's, and waits (up to 20 s) for its `listening … port=N` line.
    public static func start(executable: URL, dataDirectory: String, arguments: [String] = [], environment: [String: String] = [:],
                             log: String) async throws -> ServerProcess {
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try launch(process)
        for _ in 0..<400 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening") && $0.contains("port=") }),
               let range = line.range(of: "port="), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) {
                return ServerProcess(process: process, port: port, log: log, dataDirectory: dataDirectory)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        throw LoadError("doorstep-server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "no log")")
    }

    /// Starts `process`, one launch at a time in this process: Foundation's `Process.run()` on
    /// Linux copies the environment unguarded, and two launches at once have crashed in it.
    public static func launch(_ process: Process) throws {
        try launches.withLock { _ in
            if process.environment == nil { process.environment = ProcessInfo.processInfo.environment }
            try process.run()
        }
    }

    private static let launches = Mutex(())

    private init(process: Process, port: Int, log: String, dataDirectory: String) {
        self.process = process
        self.port = port
        self.url = URL(string: "http://127.0.0.1:\(port)")!
        self.log = log
        self.dataDirectory = dataDirectory
    }

    /// The administrator token the first start wrote.
    public var adminToken: String {
        get throws { try String(contentsOfFile: dataDirectory + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The process's peak resident memory so far (VmHWM), bytes; nil once it has exited.
    public var peakResidentBytes: Int? { ProcessStatus.kilobytes("VmHWM:", pid: "\(process.processIdentifier)").map { $0 * 1024 } }

    /// The process's resident memory now (VmRSS), bytes; nil once it has exited.
    public var residentBytes: Int? { ProcessStatus.kilobytes("VmRSS:", pid: "\(process.processIdentifier)").map { $0 * 1024 } }

    /// CPU time the process has used so far, seconds; nil once it has exited.
    public var cpuSeconds: Double? { ProcessStatus.cpuSeconds(pid: "\(process.processIdentifier)") }

    /// SIGKILL (nothing runs after it: no graceful stop, no flush), then waits for the exit.
    public func kill() {
        if process.isRunning { sendSIGKILL(process.processIdentifier) }
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// SIGKILL to `pid` (outside the class, whose `kill()` would shadow the system call).
func sendSIGKILL(_ pid: Int32) {
    _ = kill(pid, SIGKILL)
}
