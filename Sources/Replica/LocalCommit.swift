import FieldModel
import Foundation
import GRDB
import SyncCore

extension Replica {
    /// Stamps `operations` as new changes of one record and commits them with the record's new
    /// view, the counter and the clock in one transaction. Nothing is written if any is refused.
    ///
    /// Each change's context is the view's version as it stands, so it supersedes what the
    /// worker sees; consecutive changes of one call share the clock's millisecond.
    func commit(_ key: RecordKey, _ operations: [Change.Operation]) throws(ReplicaError) -> [Change] {
        let me = identity
        let wallClock = self.wallClock
        let codec = self.codec
        return try write { db in
            var clock = try Meta.clock(db, wallClock: wallClock)
            var counter = UInt64(bitPattern: try Meta.int(db, "counter"))
            var row = try RecordRows.load(db, codec, key.collection, key.id) ?? RecordRow(key: key, confirmed: nil, view: RecordState(key: key))
            guard row.key.scope == key.scope else {
                throw ReplicaError(.inconsistent, "\(key.collection.name) \(key.id) is in village \(row.key.scope), not \(key.scope)")
            }
            var changes: [Change] = []
            for operation in operations {
                counter += 1
                let change = Change(dot: Dot(me.replica, counter), record: key, operation: operation,
                                    context: row.view.version, hlc: clock.now(), author: me.worker.id)
                if case .refused(let refusal) = row.view.apply(change).outcome {
                    throw ReplicaError(.ruleViolation, refusal.description)
                }
                try Outbox.insert(db, codec, change, createdAt: wallClock())
                changes.append(change)
            }
            try RecordRows.saveView(db, codec, row)
            try Meta.setInt(db, "counter", Int64(bitPattern: counter))
            try Meta.saveClock(db, clock)
            return changes
        }
    }

    /// The record as the worker sees it, if the device holds it.
    public func record(_ collection: RecordCollection, _ id: RecordID) throws(ReplicaError) -> RecordState? {
        try read { db in try RecordRows.load(db, self.codec, collection, id)?.view }
    }

    /// Like `record`, failing with `.notFound` (or `.notFound` for a deleted one).
    func existing(_ collection: RecordCollection, _ id: RecordID) throws(ReplicaError) -> RecordState {
        guard let state = try record(collection, id), state.created != nil || !state.fields.isEmpty else {
            throw ReplicaError(.notFound, "no \(collection.name) \(id) on this device")
        }
        guard !state.isDeleted else { throw ReplicaError(.notFound, "\(collection.name) \(id) was deleted") }
        return state
    }

    /// The worker's filings of close relatives' households, as this device knows them.
    func filedHouseholds() throws(ReplicaError) -> [RelativeFiling] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, village, view FROM records WHERE collection = ?",
                             arguments: [Int64(RecordCollection.relativeFiling.rawValue)]).compactMap { row -> RelativeFiling? in
                let state = try self.codec.state(row["view"], includesSupersession: true)
                guard !state.isDeleted else { return nil }
                return try? RelativeFiling(id: state.key.id, village: state.key.scope, fields: state.values)
            }
        }
    }

    /// Checks that the worker may write records of `village` and create `collection` there.
    func checkWrite(_ village: VillageCode, creating collection: RecordCollection? = nil) throws(ReplicaError) {
        let current = try currentIdentity()
        do { try current.jurisdiction.checkWrite(village) } catch { throw ReplicaError(error) }
        if let collection, !collection.schema.creators.contains(current.worker.role) {
            throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(current.worker.role.rawValue) may not create \(collection.name) records"))
        }
    }

    /// Today in China Standard Time by the corrected clock (the wall clock plus the offset
    /// measured against the server), so a phone set a year wrong still dates visits right.
    public func today() throws(ReplicaError) -> CalendarDate {
        let wall = wallClock()
        return CalendarDate.chinaStandard(millisecondsSinceEpoch: wall &+ (try clockOffsetMilliseconds()))
    }
}
