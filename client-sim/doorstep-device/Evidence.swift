import ArgumentParser
import FieldModel
import Foundation
import Replica
import SyncClientHTTP
import SyncCore

/// A visit with its photos or scans, recorded offline in one transaction: the files are copied
/// beside the replica and queued; `upload` sends them once the visit has synced.
struct RecordVisit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record-visit",
                                                    abstract: "Record a screening visit of a household with evidence files (JPEG, PNG, PDF), offline.")
    @OptionGroup var device: DeviceDirectory
    @Option(help: "The household's id (see `status --households`).") var household: String
    @Option(name: .customLong("photo"), help: "An evidence file; repeat for several.") var photos: [String] = []
    @Option(help: "What the worker noted.") var notes = ""

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        guard let id = RecordID(uuidString: household) else { throw ValidationError("--household \(household.prefix(40)) is not a record id") }
        let identity = try replica.currentIdentity()
        let today = try replica.today()
        let detail = try replica.householdDetail(id)
        var generator = SystemRandomNumberGenerator()
        let visit = Visit(id: RecordID(milliseconds: DeviceDirectory.clock(), using: &generator), householdID: id, village: detail.household.village,
                          kind: .screening, worker: identity.worker.id, date: today, monthlyIncomeFen: detail.household.monthlyIncomeFen,
                          assetsFen: detail.household.assetsFen, livingCondition: .adequate, recommendation: .none, notes: notes)
        let evidence = photos.map {
            Evidence(id: RecordID(milliseconds: DeviceDirectory.clock(), using: &generator), kind: .homePhoto, takenOn: today,
                     content: .file(URL(fileURLWithPath: $0)))
        }
        let changes = try replica.recordVisit(visit, evidence: evidence)
        print("saved visit \(visit.id) with \(evidence.count) evidence files (\(changes.count) changes); the files upload after the next sync")
    }
}

/// Sends the evidence whose records the server acknowledged, in chunks, printing each chunk the
/// server answered; an interrupted upload resumes from what the server holds.
struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Upload the evidence files waiting on this device.")
    @OptionGroup var device: DeviceDirectory
    @Option(help: "The largest chunk to send, in bytes (the server's own limit applies too).") var chunkBytes = 65_536

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let report = try await device.upload(replica, chunkBytes: chunkBytes) { id, received in
            // Unbuffered: a watcher learns at once what the server answered.
            FileHandle.standardOutput.write(Data("chunk: attachment \(id) received \(received)\n".utf8))
        }
        let waiting = try replica.evidenceSummary()
        print("upload: \(report.completed.count) files completed, \(report.bytesSent) B in \(report.chunksSent) chunks, \(waiting.waiting) files waiting"
              + (report.interruption.map { "; interrupted: \($0)" } ?? ""))
        for failure in report.failures { print("refused: attachment \(failure.id) \(failure.code): \(failure.message)") }
        if report.interruption != nil || !report.failures.isEmpty { throw ExitCode(1) }
    }
}
