import FieldModel
import Foundation
import GRDB
import Synchronization
import SyncCore

extension Replica {
    /// Decides and commits a local write of one record in one transaction (see `commit(_:alongside:)`).
    func commit(_ key: RecordKey, _ decide: @escaping @Sendable (LocalState) throws -> [Change.Operation]) throws(ReplicaError) -> [Change] {
        try commit([RecordWrite(key, decide)])
    }

    /// Decides and commits a local write of one or more records in one transaction: each
    /// record's `decide` reads what its checks need through the transaction's `LocalState`
    /// (seeing the records decided before it in the same write) and returns the operations (or
    /// throws to refuse); they are stamped as new changes with consecutive counters and
    /// committed with the records' new views, the counter and the clock, then `alongside` writes
    /// what the device keeps beside them (an evidence upload's queue row). Nothing is written if
    /// any is refused. A pull that comes while the write is being decided waits for its commit,
    /// and one that came before is what the checks read.
    ///
    /// Each change's context is the view's version as it stands, so it supersedes what the
    /// worker sees; consecutive changes of one call share the clock's millisecond.
    func commit(_ records: [RecordWrite], alongside: @Sendable (Database) throws -> Void = { _ in }) throws(ReplicaError) -> [Change] {
        let me = identity
        let wallClock = self.wallClock
        let codec = self.codec
        let hooks = self.hooks
        return try write { db in
            let local = try LocalState(db, codec, wallClock: wallClock, enrolled: me)
            var clock = try Meta.clock(db, wallClock: wallClock)
            var counter = UInt64(bitPattern: try Meta.int(db, "counter"))
            var changes: [Change] = []
            for record in records {
                let operations = try record.decide(local)
                let key = record.key
                var row = try RecordRows.load(db, codec, key.collection, key.id) ?? RecordRow(key: key, confirmed: nil, view: RecordState(key: key))
                guard row.key.scope == key.scope else {
                    throw ReplicaError(.inconsistent, "\(key.collection.name) \(key.id) is in village \(row.key.scope), not \(key.scope)")
                }
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
            }
            hooks.afterChecks()
            try alongside(db)
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
        let me = identity
        let wallClock = self.wallClock
        return try read { db in try LocalState(db, self.codec, wallClock: wallClock, enrolled: me).existing(collection, id) }
    }

    /// Today in China Standard Time by the corrected clock (the wall clock plus the offset
    /// measured against the server), so a phone set a year wrong still dates visits right.
    public func today() throws(ReplicaError) -> CalendarDate {
        let wall = wallClock()
        return CalendarDate.chinaStandard(millisecondsSinceEpoch: wall &+ (try clockOffsetMilliseconds()))
    }
}

/// One record's part of a local write: its key, and the checks that decide its operations.
struct RecordWrite: Sendable {
    let key: RecordKey
    let decide: @Sendable (LocalState) throws -> [Change.Operation]

    init(_ key: RecordKey, _ decide: @escaping @Sendable (LocalState) throws -> [Change.Operation]) {
        self.key = key
        self.decide = decide
    }
}

/// Points inside a local write where a test may act: after the checks have decided the write
/// (every record of it), before its changes are committed (in the same transaction).
final class LocalWriteHooks: Sendable {
    private let checked = Mutex<(@Sendable () -> Void)?>(nil)

    func afterChecks() { checked.withLock { $0 }?() }

    /// Runs `body` after every later write's checks, until replaced (nil stops it).
    func onAfterChecks(_ body: (@Sendable () -> Void)?) { checked.withLock { $0 = body } }
}
