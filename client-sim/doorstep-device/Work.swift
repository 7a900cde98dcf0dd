import ArgumentParser
import FieldModel
import Foundation
import Replica
import SyncClient
import SyncCore

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
            """)
    @OptionGroup var device: DeviceDirectory
    @Option(help: "Rounds of writes, each followed by a sync.") var rounds = 100
    @Option(help: "Writes per round.") var writesPerSync = 3

    func validate() throws {
        guard rounds >= 1, writesPerSync >= 1 else { throw ValidationError("--rounds and --writes-per-sync must be at least 1") }
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
                for change in try write(replica, village: village, worker: identity.worker.id, using: &random) {
                    emit("committed \(change.dot.counter) \(change.record.collection.name) \(change.record.id)")
                }
            }
            emit(try await device.sync(replica).line)
        }
    }

    /// One write of what a village assistant records: a new household, a phone number or a note
    /// on one the device holds (fields where the latest write wins, so two devices never wait on
    /// a reviewer), or a visit.
    func write(_ replica: Replica, village: VillageCode, worker: WorkerID, using random: inout some RandomNumberGenerator) throws -> [Change] {
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
            return [try replica.createHousehold(household)]
        }
        if Bool.random(using: &random) {
            let field = Bool.random(using: &random)
                ? (Household.Field.phone, FieldValue.text("13\(Int.random(in: 100_000_000...999_999_999, using: &random))"))
                : (Household.Field.notes, FieldValue.text("第\(Int.random(in: 1...99, using: &random))次走访备注"))
            return try replica.updateHousehold(household.id, [field.0: field.1])
        }
        let visit = Visit(id: RecordID(milliseconds: now, using: &random), householdID: household.id, village: village, kind: .screening,
                          worker: worker, date: today, monthlyIncomeFen: household.monthlyIncomeFen, assetsFen: household.assetsFen,
                          livingCondition: .difficult, recommendation: .none, notes: "排查走访")
        return [try replica.recordVisit(visit)]
    }

    /// One line to stdout with no buffering, so a kill right after loses nothing printed.
    func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
