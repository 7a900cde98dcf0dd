import FieldModel
import Foundation
import GRDB
import SyncCore

/// A household with everything recorded about it.
public struct HouseholdDetail: Sendable, Hashable {
    public let household: Household
    public let members: [Member]
    public let visits: [Visit]
    public let needsReview: Bool
}

/// A household whose periodic review is due (动态管理 worklist).
public struct ReviewDue: Sendable, Hashable {
    public let household: Household
    public let due: CalendarDate
    public let cadence: ReviewCadence
}

/// A record waiting for a reviewer: its conflicted fields with every concurrent value.
public struct OpenConflict: Sendable, Hashable {
    public let key: RecordKey
    public let fields: [FieldConflict]
    public let deleteConflict: Bool

    public struct FieldConflict: Sendable, Hashable {
        public let field: String
        public let values: [Sibling]
    }
}

/// The app's offline queries. They read the worker's view: confirmed state plus local changes.
extension Replica {
    func views(_ db: Database, collection: RecordCollection, village: VillageCode? = nil) throws -> [RecordState] {
        try RecordRows.views(db, codec, collection: collection, village: village)
    }

    func decoded<R: FieldRecord>(_ states: [RecordState], as: R.Type) -> [R] {
        states.compactMap { try? R(id: $0.key.id, village: $0.key.scope, fields: $0.values) }
    }

    /// The households of `village`.
    public func households(in village: VillageCode) throws(ReplicaError) -> [Household] {
        try read { db in self.decoded(try self.views(db, collection: .household, village: village), as: Household.self) }
    }

    /// The public notices of `village` (公示), as the worker sees them.
    public func notices(in village: VillageCode) throws(ReplicaError) -> [PublicNotice] {
        try read { db in self.decoded(try self.views(db, collection: .publicNotice, village: village), as: PublicNotice.self) }
    }

    /// A household with its members and visits (newest visit first).
    public func householdDetail(_ id: RecordID) throws(ReplicaError) -> HouseholdDetail {
        let state = try existing(.household, id)
        guard let household = try? Household(id: id, village: state.key.scope, fields: state.values) else {
            throw ReplicaError(.inconsistent, "household \(id) lacks required fields")
        }
        return try read { db in
            let related = try Row.fetchAll(db, sql: "SELECT view, confirmed FROM records WHERE household = ? AND is_deleted = 0",
                                           arguments: [Data(id.bytes)]).map { row -> RecordState in
                try RecordRows.view(row, self.codec)
            }
            let members = self.decoded(related.filter { $0.key.collection == .member }, as: Member.self)
            let visits = self.decoded(related.filter { $0.key.collection == .visit }, as: Visit.self).sorted { $0.date > $1.date }
            return HouseholdDetail(household: household, members: members, visits: visits, needsReview: state.needsReview)
        }
    }

    /// Covered households whose review falls due on or before `date`, soonest first.
    public func reviewsDue(on date: CalendarDate) throws(ReplicaError) -> [ReviewDue] {
        try read { db in
            let households = self.decoded(try self.views(db, collection: .household), as: Household.self)
            let members = Dictionary(grouping: self.decoded(try self.views(db, collection: .member), as: Member.self), by: \.householdID)
            return households.compactMap { h -> ReviewDue? in
                let m = members[h.id] ?? []
                guard let due = ReviewCadence.nextDue(for: h, members: m), due <= date else { return nil }
                return ReviewDue(household: h, due: due, cadence: ReviewCadence.cadence(classification: h.classification, members: m))
            }.sorted { ($0.due, $0.household.id) < ($1.due, $1.household.id) }
        }
    }

    /// Records with concurrent values waiting for a reviewer.
    public func openConflicts() throws(ReplicaError) -> [OpenConflict] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT view, confirmed FROM records WHERE needs_review = 1 ORDER BY collection, id").map { row in
                let state = try RecordRows.view(row, self.codec)
                let fields = state.conflictedFields.map { id in
                    OpenConflict.FieldConflict(field: state.schema.field(id)?.name ?? "#\(id)", values: state.fields[id]?.siblings ?? [])
                }
                return OpenConflict(key: state.key, fields: fields, deleteConflict: state.hasDeleteConflict)
            }
        }
    }

    /// Every record of a village as the server last sent it (for verification and repair).
    public func confirmedStates(in village: VillageCode) throws(ReplicaError) -> [RecordState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT confirmed FROM records WHERE village = ? AND confirmed IS NOT NULL ORDER BY collection, id",
                             arguments: [Int64(village.rawValue)]).map { row in
                try self.codec.state(row["confirmed"], includesSupersession: false)
            }
        }
    }

    /// Every record the worker sees in a village, deleted ones included.
    public func viewStates(in village: VillageCode) throws(ReplicaError) -> [RecordState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT view, confirmed FROM records WHERE village = ? ORDER BY collection, id", arguments: [Int64(village.rawValue)]).map { row in
                try RecordRows.view(row, self.codec)
            }
        }
    }

    /// The villages this device holds records or a cursor for.
    public func villages() throws(ReplicaError) -> [VillageCode] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT village FROM records UNION SELECT village FROM cursors ORDER BY 1")
                .map { VillageCode(uncheckedRawValue: UInt64($0)) }
        }
    }

    /// The digest of the confirmed states of a village, as kept incrementally.
    public func digest(of village: VillageCode) throws(ReplicaError) -> ScopeDigest {
        try read { db in try VillageDigests.get(db, village) }
    }
}
