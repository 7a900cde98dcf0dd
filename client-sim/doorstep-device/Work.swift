import ArgumentParser
import DataProtection
import FieldModel
import Foundation
import Replica
import SyncClient
import SyncCore
import SyntheticData

/// A worker's day in a loop: writes and syncs, each committed write printed the moment its
/// transaction returns. The crash tests kill this process at random instants and hold the
/// device to every line it printed.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record households, phone numbers and visits and sync, in a loop; print each committed write.",
        discussion: """
            Each committed write prints one line, written unbuffered once its transaction has committed:
              committed COUNTER COLLECTION RECORD-ID
            and each sync its report line. A failed sync (the server unreachable) does not stop the loop.
            With --photos-per-visit, a visit carries up to that many photos (16–96 KB), each printed
            after the commit as
              photo ATTACHMENT-ID SHA256 BYTES
            and every sync is followed by an upload round: `uploading`, a `chunk ID RECEIVED` line per
            chunk the server answered, then the round's report line.
            """)
    @OptionGroup var device: DeviceDirectory
    @Option(help: "Rounds of writes, each followed by a sync.") var rounds = 100
    @Option(help: "Writes per round.") var writesPerSync = 3
    @Option(help: "Photos a visit carries, drawn from 0 to this (0: none, and no upload rounds).") var photosPerVisit = 0
    @Option(help: "The largest upload chunk, in bytes (the server's own limit applies too).") var chunkBytes = 8_192

    static let photoSizes = 16 * 1024...96 * 1024

    func validate() throws {
        guard rounds >= 1, writesPerSync >= 1 else { throw ValidationError("--rounds and --writes-per-sync must be at least 1") }
        guard (0...10).contains(photosPerVisit) else { throw ValidationError("--photos-per-visit \(photosPerVisit) is not within 0…10") }
        guard chunkBytes >= 1 else { throw ValidationError("--chunk-bytes \(chunkBytes) must be at least 1") }
    }

    func run() async throws {
        let replica = try device.openReplica()
        defer { try? replica.close() }
        let identity = try replica.currentIdentity()
        guard let village = identity.worker.assignment.villages.sorted().first else {
            throw ValidationError("the worker has no village of their own to work in")
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<rounds {
            for _ in 0..<writesPerSync {
                let (changes, photos) = try write(replica, village: village, worker: identity.worker.id, using: &random)
                for change in changes {
                    emit("committed \(change.dot.counter) \(change.record.collection.name) \(change.record.id)")
                }
                for (id, bytes) in photos { emit("photo \(id) \(ContentHash.sha256(bytes)) \(bytes.count)") }
            }
            emit(try await device.sync(replica).line)
            if photosPerVisit > 0 { try await upload(replica) }
        }
    }

    /// One upload round after the sync; a round cut short (the server gone) is resumed by the next.
    func upload(_ replica: Replica) async throws {
        emit("uploading")
        let report = try await device.upload(replica, chunkBytes: chunkBytes) { id, received in emit("chunk \(id) \(received)") }
        emit("upload: \(report.completed.count) files completed, \(report.chunksSent) chunks" + (report.interruption.map { "; interrupted: \($0)" } ?? "")
             + report.failures.map { "; refused \($0.id) \($0.code)" }.joined())
    }

    /// One write of what a village assistant records: a new household, a phone number or a note
    /// on one the device holds (fields where the latest write wins, so two devices never wait on
    /// a reviewer), or a visit with its photos. Returns the changes and the photos' bytes by attachment id.
    func write(_ replica: Replica, village: VillageCode, worker: WorkerID,
               using random: inout some RandomNumberGenerator) throws -> ([Change], [(RecordID, [UInt8])]) {
        let households = try replica.households(in: village)
        let today = try replica.today()
        let now = DeviceDirectory.clock()
        guard let household = households.randomElement(using: &random), Int.random(in: 0..<3, using: &random) > 0 else {
            let birth = CalendarDate(year: Int.random(in: 1950...1990, using: &random), month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))!
            let household = Household(id: RecordID(milliseconds: now, using: &random), village: village, headName: "王建国",
                                      headIDNumber: IDCardNumber.make(region: village.county, birth: birth, sequence: Int.random(in: 0...999, using: &random)),
                                      addressDetail: "\(Int.random(in: 1...9, using: &random))组\(Int.random(in: 1...60, using: &random))号", phone: nil,
                                      category: .ruralDibao, classification: .stable, status: .applied, monthlyStandardFen: 0, monthlyAmountFen: 0,
                                      monthlyIncomeFen: Int64(Int.random(in: 0...900, using: &random)) * 100, assetsFen: 0,
                                      appliedOn: today, coveredSince: nil, lastReviewedOn: nil, notes: "")
            return ([try replica.createHousehold(household)], [])
        }
        if Bool.random(using: &random) {
            let field = Bool.random(using: &random)
                ? (Household.Field.phone, FieldValue.text("13\(Int.random(in: 100_000_000...999_999_999, using: &random))"))
                : (Household.Field.notes, FieldValue.text("第\(Int.random(in: 1...99, using: &random))次走访备注"))
            return (try replica.updateHousehold(household.id, [field.0: field.1]), [])
        }
        let visit = Visit(id: RecordID(milliseconds: now, using: &random), householdID: household.id, village: village, kind: .screening,
                          worker: worker, date: today, monthlyIncomeFen: household.monthlyIncomeFen, assetsFen: household.assetsFen,
                          livingCondition: .difficult, recommendation: .none, notes: "排查走访")
        let photos = (0..<Int.random(in: 0...photosPerVisit, using: &random)).map { _ in
            (RecordID(milliseconds: now, using: &random), SyntheticPhoto.jpeg(Int.random(in: Self.photoSizes, using: &random), seed: random.next()))
        }
        let evidence = photos.map { Evidence(id: $0.0, kind: .homePhoto, takenOn: today, content: .bytes($0.1)) }
        return (try replica.recordVisit(visit, evidence: evidence), photos)
    }

    /// One line to stdout with no buffering, so a kill right after loses nothing printed.
    @Sendable func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
