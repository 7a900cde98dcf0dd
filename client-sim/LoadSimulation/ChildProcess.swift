import Foundation
import Synchronization

/// A child process of the tests and the simulators, the one way they start one: run to its
/// end with its output captured (`run`), or started beside the caller with its output in a log
/// file (`start`), then stopped with SIGTERM or killed with SIGKILL.
///
///     let run = try await ChildProcess.run(binaries.appendingPathComponent("doorstep-device"), ["status", "--dir", directory])
///     let work = try ChildProcess.start(binaries.appendingPathComponent("doorstep-device"), ["work", "--dir", directory], log: log)
///     work.kill()
///
/// An awaited exit is waited for on a thread of its own, never on one of the few threads Swift
/// concurrency shares (as many as the cores: two here). A child parked there for seconds stalls
/// every task of the process, in-process servers included, whose clients then time out.
public final class ChildProcess: Sendable {
    public let process: Process
    /// Where its output and errors go; nil for `run`, which captures them.
    public let log: String?

    private init(process: Process, log: String?) {
        self.process = process
        self.log = log
    }

    /// Runs `executable` to its end, `environment` added to this process's; returns its exit
    /// status and its output and errors together.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           in directory: String? = nil) async throws -> (status: Int32, output: String) {
        let process = prepared(executable, arguments, environment: environment, in: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try launch(process)
        // The pipe is read to its end before the exit is awaited: a child filling it would
        // otherwise never exit.
        let output = await offThread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Starts `executable` beside this process, its output and errors appended to `log`.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                             in directory: String? = nil, log: String) throws -> ChildProcess {
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = prepared(executable, arguments, environment: environment, in: directory)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try launch(process)
        return ChildProcess(process: process, log: log)
    }

    /// The directory of the running executable, where `swift build` puts the others
    /// (`doorstep-server`, `doorstep-device`) beside the test bundle and `client-sim`: the
    /// executable's own file, links resolved, however it was started (by a path or from PATH).
    public static let siblings = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
        .resolvingSymlinksInPath().deletingLastPathComponent()

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    /// What its log holds so far.
    public var logText: String { log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }

    /// Waits for the exit on a thread of its own; returns the exit status (the signal's number
    /// when a signal ended it).
    @discardableResult
    public func exited() async -> Int32 {
        let process = process
        return await Self.offThread {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Whether a signal ended it, and which: `killedBy(SIGKILL)`.
    public func killed(by signal: Int32) -> Bool {
        !process.isRunning && process.terminationReason == .uncaughtSignal && process.terminationStatus == signal
    }

    /// SIGTERM, then waits for the exit (briefly holding the calling thread: for `defer`);
    /// returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL (nothing runs after it: no graceful stop, no flush), then waits for the exit.
    public func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func prepared(_ executable: URL, _ arguments: [String], environment: [String: String], in directory: String?) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return process
    }

    /// Starts `process`, one launch at a time in this process: Foundation's `Process.run()` on
    /// Linux copies the environment unguarded, and two launches at once have crashed in it.
    private static func launch(_ process: Process) throws {
        try launches.withLock { _ in try process.run() }
    }

    private static let launches = Mutex(())

    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
