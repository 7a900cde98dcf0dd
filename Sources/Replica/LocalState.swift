import FieldModel
import Foundation
import GRDB
import SyncCore

/// What a local write's checks read, inside the transaction that then commits the write: a
/// pull cannot land between what was checked and what is written (one transaction per
/// invariant). Rule failures throw `ReplicaError`; storage failures GRDB's, which the
/// replica's `write` reports as `storage`.
struct LocalState {
    let db: Database
    /// How the replica's rows are sealed: the checks read states and the outbox in memory.
    let codec: ReplicaCodec
    /// The worker as stored now (the assignment follows the server's scope).
    let identity: DeviceIdentity
    /// Today in China Standard Time by the corrected clock.
    let today: CalendarDate

    init(_ db: Database, _ codec: ReplicaCodec, wallClock: @Sendable () -> Int64, enrolled: DeviceIdentity) throws {
        self.db = db
        self.codec = codec
        identity = try Meta.identity(db) ?? enrolled
        today = CalendarDate.chinaStandard(millisecondsSinceEpoch: wallClock() &+ (try Meta.int(db, "clock_offset")))
    }

    var worker: Worker { identity.worker }

    /// The record as the worker sees it, if the device holds it.
    func record(_ collection: RecordCollection, _ id: RecordID) throws -> RecordState? {
        try RecordRows.load(db, codec, collection, id)?.view
    }

    /// Like `record`, failing with `.notFound` for a record the device does not hold or that was deleted.
    func existing(_ collection: RecordCollection, _ id: RecordID) throws -> RecordState {
        guard let state = try record(collection, id), state.created != nil || !state.fields.isEmpty else {
            throw ReplicaError(.notFound, "no \(collection.name) \(id) on this device")
        }
        guard !state.isDeleted else { throw ReplicaError(.notFound, "\(collection.name) \(id) was deleted") }
        return state
    }

    /// The household a new record of `village` belongs to: held by the device, in that village.
    func household(_ id: RecordID, of collection: RecordCollection, in village: VillageCode) throws -> RecordState {
        let household = try existing(.household, id)
        guard household.key.scope == village else {
            throw ReplicaError(.inconsistent, "the \(collection.name)'s village \(village) is not its household's \(household.key.scope)")
        }
        return household
    }

    /// The worker may write records of `village`, and create `collection` there.
    func checkWrite(_ village: VillageCode, creating collection: RecordCollection? = nil) throws {
        try rule { () throws(RuleViolation) in try Jurisdiction(worker).checkWrite(village) }
        if let collection, !collection.schema.creators.contains(worker.role) {
            throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(worker.role.rawValue) may not create \(collection.name) records"))
        }
    }

    /// Every filing the device holds (of any worker: recusal asks for the writing worker's).
    func filings() throws -> [RelativeFiling] {
        try views(of: .relativeFiling).compactMap { try? RelativeFiling(id: $0.key.id, village: $0.key.scope, fields: $0.values) }
    }

    /// The public notices of `village` the device holds.
    func notices(in village: VillageCode) throws -> [NoticeStanding] {
        try views(of: .publicNotice, in: village).compactMap(\.noticeStanding)
    }

    /// The worker's own changes of `key` still in the outbox and not refused, oldest first.
    func ownChanges(of key: RecordKey) throws -> [Change] {
        try Outbox.unrejectedChanges(db, codec, for: key)
    }

    /// The live views of `collection`, of one village or all.
    func views(of collection: RecordCollection, in village: VillageCode? = nil) throws -> [RecordState] {
        try RecordRows.views(db, codec, collection: collection, village: village)
    }

    /// Runs a FieldModel rule, reporting its violation as the replica's error.
    func rule(_ body: () throws(RuleViolation) -> Void) throws {
        do { try body() } catch { throw ReplicaError(error) }
    }

    /// Runs a FieldModel validation, reporting its failure as the replica's error.
    func valid(_ body: () throws(ValidationError) -> Void) throws {
        do { try body() } catch { throw ReplicaError(error) }
    }
}
