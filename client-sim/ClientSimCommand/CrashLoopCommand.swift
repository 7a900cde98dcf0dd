import ArgumentParser
import Foundation
import LoadSimulation

struct CrashLoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-loop",
        abstract: "Kill real device and server processes at random instants, restart them on the same files, check every guarantee.",
        discussion: """
            Each cycle runs `doorstep-device work` (writes and syncs in a loop) and SIGKILLs it at a random instant;
            the server kills itself between a push's commit and its response (DOORSTEP_FAULT_CRASH_AFTER_COMMIT) and
            is SIGKILLed from outside now and then. After every kill: the replica passes integrity_check, holds every
            write the process printed as committed, marks nothing synced that the server did not apply, and syncs to
            the end; the server applies every change exactly once. doorstep-server and doorstep-device are taken
            from the directory of this executable.

              client-sim crash-loop --cycles 1000
            """)

    @Option(help: "Kill cycles.") var cycles = 1_000
    @Option(help: "Device processes, each killed in turn.") var devices = 2
    @Option(help: "The seed of the kill schedule.") var seed: UInt64 = 1
    @Option(help: "Per committed push, the chance the server kills itself before answering.") var serverCrashAfterCommit = 0.05
    @Option(help: "Per cycle, the chance the server is also SIGKILLed at a random instant.") var serverKillChance = 0.15
    @Option(help: "Where the server, devices and logs go; must not exist yet. Kept when a check fails.") var runDir = "crash-loop-run"
    @Option(help: "Write the report as JSON to this file.") var report: String?

    func validate() throws {
        guard cycles >= 1, devices >= 1 else { throw ValidationError("--cycles and --devices must be at least 1") }
        guard (0...1).contains(serverCrashAfterCommit), (0...1).contains(serverKillChance) else {
            throw ValidationError("--server-crash-after-commit and --server-kill-chance are probabilities between 0 and 1")
        }
        guard !FileManager.default.fileExists(atPath: runDir) else { throw ValidationError("\(runDir) exists; give a fresh --run-dir") }
    }

    func run() async throws {
        let binaries = ChildProcess.siblings
        var configuration = CrashLoopConfiguration(cycles: cycles, directory: runDir, binaries: binaries)
        configuration.devices = devices
        configuration.seed = seed
        configuration.serverCrashAfterCommit = serverCrashAfterCommit
        configuration.serverKillChance = serverKillChance
        let result = try await CrashLoop(configuration).run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(result)
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: report))
        }
        if !result.passed { throw ExitCode(1) }
        try? FileManager.default.removeItem(atPath: runDir)
    }
}
