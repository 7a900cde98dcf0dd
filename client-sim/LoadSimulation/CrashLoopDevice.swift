import FieldModel
import Foundation
import SyncCore

/// One `doorstep-device` directory in the crash loop: enrolled once, then run as a `work`
/// process and killed with SIGKILL, again and again, on the same files.
struct CrashLoopDevice {
    let name: String
    let directory: String
    let replica: ReplicaID
    /// Every write a killed process printed as committed, by dot counter: what the device owes.
    var ledger: [UInt64: (RecordCollection, RecordID)] = [:]
    /// Every photo a killed process printed as taken, by attachment id.
    var photos: [RecordID: Photo] = [:]
    /// The photos the server has served back whole: checked once, not again.
    var photosOnServer: Set<RecordID> = []

    struct Photo: Hashable {
        let sha256: String
        let byteCount: Int
    }

    /// What one process's log told.
    struct LogTally {
        var committed = 0
        var photos = 0
        /// Its last upload round had begun and not reported.
        var killedDuringUpload = false
    }

    var replicaPath: String { directory + "/replica.sqlite" }

    /// Enrols with `doorstep-device enrol`, the command a worker runs.
    static func enrol(name: String, directory: String, server: URL, code: String, binaries: URL) async throws -> CrashLoopDevice {
        let run = try await ChildProcess.run(binaries.appendingPathComponent("doorstep-device"),
                                             ["enrol", "--dir", directory, "--server", server.absoluteString, "--code", code, "--name", name])
        guard run.status == 0 else { throw LoadError(.device, "doorstep-device enrol of \(name) failed (\(run.status)): \(run.output)") }
        let text = try String(contentsOfFile: directory + "/replica", encoding: .utf8)
        guard let replica = ReplicaID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LoadError(.device, "\(directory)/replica holds no replica id: \(text)")
        }
        return CrashLoopDevice(name: name, directory: directory, replica: replica)
    }

    /// Points the device at the server's new address after a restart.
    func use(server: URL) throws {
        try (server.absoluteString + "\n").write(toFile: directory + "/server", atomically: true, encoding: .utf8)
    }

    /// Starts `doorstep-device work`, its output to `log`.
    func startWork(binaries: URL, photosPerVisit: Int, chunkBytes: Int, log: String) throws -> ChildProcess {
        try ChildProcess.start(binaries.appendingPathComponent("doorstep-device"),
                               ["work", "--dir", directory, "--rounds", "100000", "--writes-per-sync", "3",
                                "--photos-per-visit", "\(photosPerVisit)", "--chunk-bytes", "\(chunkBytes)"], log: log)
    }

    /// Adds the writes and photos a finished `work` process printed; a line cut by the kill is
    /// not one.
    mutating func learn(fromLog log: String) throws -> LogTally {
        let text = try String(contentsOfFile: log, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }
        var tally = LogTally()
        for line in lines {
            let parts = line.split(separator: " ")
            switch parts.first {
            case "committed":
                guard parts.count == 4, let counter = UInt64(parts[1]), let collection = RecordCollection(name: String(parts[2])),
                      let id = RecordID(uuidString: String(parts[3])) else { throw LoadError(.device, "\(log): unreadable line \(line)") }
                ledger[counter] = (collection, id)
                tally.committed += 1
            case "photo":
                guard parts.count == 4, let id = RecordID(uuidString: String(parts[1])), let byteCount = Int(parts[3]) else {
                    throw LoadError(.device, "\(log): unreadable line \(line)")
                }
                photos[id] = Photo(sha256: String(parts[2]), byteCount: byteCount)
                tally.photos += 1
            case "uploading": tally.killedDuringUpload = true
            case "upload:": tally.killedDuringUpload = false
            default: break
            }
        }
        return tally
    }
}
