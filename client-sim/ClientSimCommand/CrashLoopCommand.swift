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
            the end; the server applies every change exactly once. With --photos-per-visit, visits carry photos uploaded
            in small chunks after each sync, so kills land mid-upload: every photo a process printed as taken stays whole
            on the device until the server serves it back with its SHA-256. doorstep-server and doorstep-device are
            taken from the directory of this executable.

              client-sim crash-loop --cycles 1000 --photos-per-visit 2
            """)

    @Option(help: "Kill cycles.") var cycles = 1_000
    @Option(help: "Device processes, each killed in turn.") var devices = 2
    @Option(help: "The seed of the kill schedule.") var seed: UInt64 = 1
    @Option(help: "Per committed push, the chance the server kills itself before answering.") var serverCrashAfterCommit = 0.05
    @Option(help: "Per cycle, the chance the server is also SIGKILLed at a random instant.") var serverKillChance = 0.15
    @Option(help: "Photos a device's visit carries, 0 to this (0: none).") var photosPerVisit = 0
    @Option(help: "The upload chunk size with photos, in bytes: small, so kills land mid-upload.") var chunkBytes = 2_048
    @Option(help: "Where the server, devices and logs go; must not exist yet. Kept when a check fails.") var runDir = "crash-loop-run"
    @Option(help: "Write the report as JSON to this file.") var report: String?

    func validate() throws {
        guard cycles >= 1, devices >= 1 else { throw ValidationError("--cycles and --devices must be at least 1") }
        guard (0...1).contains(serverCrashAfterCommit), (0...1).contains(serverKillChance) else {
            throw ValidationError("--server-crash-after-commit and --server-kill-chance are probabilities between 0 and 1")
        }
        guard (0...10).contains(photosPerVisit), chunkBytes >= 1 else {
            throw ValidationError("--photos-per-visit \(photosPerVisit) must be within 0…10 and --chunk-bytes \(chunkBytes) at least 1")
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
        configuration.photosPerVisit = photosPerVisit
        configuration.chunkBytes = chunkBytes
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
