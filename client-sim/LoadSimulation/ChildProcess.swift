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
    public let pid: Int32
    /// Where its output and errors go; nil for `run`, which captures them.
    public let log: String?
    private let reaper: Reaper

    private init(pid: Int32, log: String?) {
        self.pid = pid
        self.log = log
        reaper = Reaper(pid)
    }

    /// Runs `executable` to its end, `environment` added to this process's; returns its exit
    /// status and its output and errors together.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           in directory: String? = nil) async throws -> (status: Int32, output: String) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw LoadError(.device, "cannot make a pipe for \(executable.lastPathComponent): errno \(errno)") }
        let child: ChildProcess
        do {
            child = ChildProcess(pid: try spawn(executable, arguments, environment: environment, in: directory, output: ends[1]), log: nil)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        // The pipe is read to its end before the exit is awaited: a child filling it would
        // otherwise never exit.
        let reading = ends[0]
        let output = await offThread {
            let data = FileHandle(fileDescriptor: reading, closeOnDealloc: true).readDataToEndOfFile()
            child.reaper.wait()
            return data
        }
        return (child.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Starts `executable` beside this process, its output and errors in `log`. The log is emptied
    /// first: a restarted server is found by its own `listening … port=` line, not its predecessor's.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                             in directory: String? = nil, log: String) throws -> ChildProcess {
        let file = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw LoadError(.device, "cannot open the log \(log) for \(executable.lastPathComponent): errno \(errno)") }
        defer { close(file) }
        return ChildProcess(pid: try spawn(executable, arguments, environment: environment, in: directory, output: file), log: log)
    }

    /// The directory of the running executable, where `swift build` puts the others
    /// (`doorstep-server`, `doorstep-device`) beside the test bundle and `client-sim`: the
    /// executable's own file, links resolved, however it was started (by a path or from PATH).
    public static let siblings = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
        .resolvingSymlinksInPath().deletingLastPathComponent()

    public var isRunning: Bool { reaper.status == nil }
    /// What its log holds so far.
    public var logText: String { log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }
    /// Its exit status, or the number of the signal that ended it; -1 while it runs.
    public var terminationStatus: Int32 {
        guard let status = reaper.status else { return -1 }
        return Self.signalled(status) ? status & 0x7f : (status >> 8) & 0xff
    }

    /// Waits for the exit on a thread of its own; returns the exit status (the signal's number
    /// when a signal ended it).
    @discardableResult
    public func exited() async -> Int32 {
        let reaper = reaper
        await Self.offThread { reaper.wait() }
        return terminationStatus
    }

    /// Whether a signal ended it, and which: `killed(by: SIGKILL)`.
    public func killed(by signal: Int32) -> Bool {
        guard let status = reaper.status else { return false }
        return Self.signalled(status) && status & 0x7f == signal
    }

    /// SIGTERM, then waits for the exit (briefly holding the calling thread: for `defer`);
    /// returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if isRunning { _ = Glibc.kill(pid, SIGTERM) }
        reaper.wait()
        return terminationStatus
    }

    /// SIGKILL (nothing runs after it: no graceful stop, no flush), then waits for the exit.
    public func kill() {
        if isRunning { _ = Glibc.kill(pid, SIGKILL) }
        reaper.wait()
    }

    /// WIFSIGNALED, which Swift does not import (a macro).
    private static func signalled(_ status: Int32) -> Bool { status & 0x7f != 0 && status & 0x7f != 0x7f }

    /// Starts the child with `posix_spawn`: standard input from /dev/null, output and errors to
    /// `output`, every other descriptor of this process closed in the child, in a process group
    /// of its own. Not Foundation's `Process`: its `run()` on Linux (up to Swift 6.3) copies each
    /// `/proc/self/fd` entry's whole 256-byte name and now and then reads past an unmapped page
    /// (swift-corelibs-foundation pull request 5472), a crash of the whole test process.
    private static func spawn(_ executable: URL, _ arguments: [String], environment: [String: String],
                              in directory: String?, output: Int32) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        for (result, step) in [(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "standard input"),
                               (posix_spawn_file_actions_adddup2(&actions, output, 1), "standard output"),
                               (posix_spawn_file_actions_adddup2(&actions, output, 2), "standard error"),
                               (directory.map { GlibcSpawn.addChdir(&actions, $0) } ?? 0, "directory \(directory ?? "")"),
                               (GlibcSpawn.addCloseFrom(&actions, 3), "closing other descriptors"),
                               (posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP)), "process group")] where result != 0 {
            throw LoadError(.device, "cannot prepare \(executable.lastPathComponent)'s \(step): \(String(cString: strerror(result)))")
        }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: Int32 = 0
        let result = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw LoadError(.device, "cannot start \(executable.path): \(String(cString: strerror(result))) (errno \(result))")
        }
        return pid
    }

    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}

/// Reaps one child on a thread of its own (`waitpid` once, the only caller for that pid) and
/// keeps its wait status.
private final class Reaper: Sendable {
    private let state = Mutex<Int32?>(nil)
    private let done = DispatchGroup()

    init(_ pid: Int32) {
        done.enter()
        Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            state.withLock { $0 = status }
            done.leave()
        }.start()
    }

    /// The raw wait status once the child has exited; nil while it runs.
    var status: Int32? { state.withLock { $0 } }

    func wait() { done.wait() }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `…_addclosefrom_np` (2.34), which
/// Swift's Glibc module leaves out (they need _GNU_SOURCE): looked up once by name.
private enum GlibcSpawn {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    nonisolated(unsafe) static let addChdir: AddChdir = function("posix_spawn_file_actions_addchdir_np")
    nonisolated(unsafe) static let addCloseFrom: AddCloseFrom = function("posix_spawn_file_actions_addclosefrom_np")

    private static func function<F>(_ name: String) -> F {
        guard let symbol = dlsym(nil, name) else { fatalError("glibc has no \(name): Doorstep's child processes need glibc 2.34 or later") }
        return unsafeBitCast(symbol, to: F.self)
    }
}
