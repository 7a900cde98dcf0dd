import Foundation

/// A short-lived child process run to its end, its output and errors captured together.
///
///     let run = try await ChildProcess.run(binaries.appendingPathComponent("doorstep-device"), ["status", "--dir", directory])
///
/// The wait for the child runs on a thread of its own, never on one of the few threads Swift
/// concurrency shares (as many as the cores: two here). A child parked there for seconds stalls
/// every task of the process, in-process servers included, whose clients then time out.
public enum ChildProcess {
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           in directory: String? = nil) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try ServerProcess.launch(process)
        // The pipe is read to its end before the exit is awaited: a child filling it would
        // otherwise never exit.
        let output = await withCheckedContinuation { continuation in
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }.start()
        }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
