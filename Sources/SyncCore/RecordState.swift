import FieldModel

/// One value of a field together with the write that made it. A field holds one sibling
/// normally, several while concurrent writes await a reviewer (or an `lww` tie is logged).
public struct Sibling: Sendable, Hashable {
    public let dot: Dot
    public let hlc: HLCTimestamp
    public let author: WorkerID
    public let value: FieldValue

    public init(dot: Dot, hlc: HLCTimestamp, author: WorkerID, value: FieldValue) {
        self.dot = dot
        self.hlc = hlc
        self.author = author
        self.value = value
    }

    /// `siblings` sorted by dot. Almost always they already are (one sibling, or as a page or
    /// a stored state lists them): then the array itself, with no copy made.
    static func inDotOrder(_ siblings: [Sibling]) -> [Sibling] {
        var index = siblings.startIndex + 1
        while index < siblings.endIndex {
            if siblings[index].dot < siblings[index - 1].dot { return siblings.sorted { $0.dot < $1.dot } }
            index += 1
        }
        return siblings
    }

    /// The `lww` order: later clock first, then the higher replica id, then the higher counter.
    public static func wins(_ a: Sibling, over b: Sibling) -> Bool {
        (a.hlc, a.dot.replica, a.dot.counter) > (b.hlc, b.dot.replica, b.dot.counter)
    }
}

/// A field's concurrent values, and the join of the contexts of every write applied to it
/// (so a write that arrives after one that superseded it stays superseded, in any order).
public struct FieldState: Sendable, Hashable {
    /// Sorted by dot.
    public internal(set) var siblings: [Sibling] = []
    public internal(set) var superseded = VersionVector()

    public init(siblings: [Sibling] = [], superseded: VersionVector = VersionVector()) {
        self.siblings = Sibling.inDotOrder(siblings)
        self.superseded = superseded
    }

    /// The sibling that shows: the `lww` winner.
    public var winner: Sibling? { siblings.max { Sibling.wins($1, over: $0) } }
}

/// A record's merged state: everything needed to merge further writes and to show it.
///
/// The state is a join-semilattice: `apply` is commutative, associative and idempotent over
/// changes, so every replica that applied the same set of changes holds the same state.
public struct RecordState: Sendable, Hashable {
    public let key: RecordKey
    /// Every dot applied to the record and every context it was written in.
    public internal(set) var version = VersionVector()
    /// The create, once applied.
    public internal(set) var created: Sibling?
    public internal(set) var fields: [FieldID: FieldState] = [:]
    /// Deletes not superseded by a later write; sorted by dot.
    public internal(set) var tombstones: [Sibling] = []
    /// The join of every delete's context: field values it covers are gone, even ones yet to arrive.
    public internal(set) var deleteContext = VersionVector()
    /// The join of every write's context: tombstones it covers are superseded.
    public internal(set) var tombstoneSuperseded = VersionVector()

    public init(key: RecordKey) { self.key = key }

    /// A state rebuilt from what a pull carries (no supersession contexts: the server applied
    /// everything those would decide). A field with no value is no field of a state.
    public init(key: RecordKey, version: VersionVector, created: Sibling?, fields: [FieldID: FieldState], tombstones: [Sibling]) {
        self.key = key
        self.version = version
        self.created = created
        // Every state of a pulled page is built here: the decoder's dictionary is kept as it is.
        self.fields = fields.values.contains { $0.siblings.isEmpty } ? fields.filter { !$0.value.siblings.isEmpty } : fields
        self.tombstones = Sibling.inDotOrder(tombstones)
    }

    public var schema: CollectionSchema { key.collection.schema }

    /// Deleted: a delete stands and no concurrent write kept a value alive.
    public var isDeleted: Bool { !tombstones.isEmpty && fields.values.allSatisfy { $0.siblings.isEmpty } }

    /// A delete stands beside values written concurrently with it: kept, and flagged.
    public var hasDeleteConflict: Bool { !tombstones.isEmpty && !isDeleted }

    /// Fields whose concurrent values wait for a reviewer (policy `review` or `workflow`).
    public var conflictedFields: [FieldID] {
        fields.compactMap { id, state in
            guard state.siblings.count > 1, schema.field(id)?.merge.flagsConcurrentValues == true else { return nil }
            return id
        }.sorted()
    }

    /// Whether a reviewer must look at this record.
    public var needsReview: Bool { hasDeleteConflict || !conflictedFields.isEmpty }

    /// The value that shows for `field`: the single value, or the `lww` winner among concurrent ones.
    public func value(_ field: FieldID) -> FieldValue { fields[field]?.winner?.value ?? .null }

    /// Every field's showing value.
    public var values: FieldValues {
        var out: FieldValues = [:]
        out.reserveCapacity(fields.count)
        for (id, state) in fields { if let w = state.winner { out[id] = w.value } }
        return out
    }

    /// The latest clock reading among the record's live writes (for display order).
    public var lastModified: HLCTimestamp {
        // Read in place: every pulled record asks, and arrays of every sibling's stamp cost more than the walk.
        var latest = created?.hlc ?? .zero
        for field in fields.values { for s in field.siblings where s.hlc > latest { latest = s.hlc } }
        for t in tombstones where t.hlc > latest { latest = t.hlc }
        return latest
    }
}
