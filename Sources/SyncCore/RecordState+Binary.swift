import FieldModel

extension RecordState {
    /// The state's bytes. `includeSupersession: false` gives the observable state only — what a
    /// pull carries and what the digest hashes; `true` adds the supersession contexts, for storage.
    ///
    /// The form is canonical: fields by id, siblings and tombstones by dot, vectors by replica.
    public func encoded(includeSupersession: Bool) -> [UInt8] {
        var w = BinaryWriter(capacity: 256)
        w.byte(key.collection.rawValue)
        w.recordID(key.id)
        w.varint(key.scope.rawValue)
        w.versionVector(version)
        if let c = created { w.byte(1); w.sibling(c) } else { w.byte(0) }
        // The ids alone are sorted (a field's state is looked up again), not copies of every field.
        var ids: [FieldID] = []
        ids.reserveCapacity(fields.count)
        for (id, state) in fields where includeSupersession || !state.siblings.isEmpty { ids.append(id) }
        ids.sort()
        w.varint(UInt64(ids.count))
        for id in ids {
            let state = fields[id]!
            w.varint(UInt64(id.rawValue))
            w.varint(UInt64(state.siblings.count))
            for s in state.siblings { w.sibling(s) }
            if includeSupersession { w.versionVector(state.superseded) }
        }
        w.varint(UInt64(tombstones.count))
        for t in tombstones { w.sibling(t) }
        if includeSupersession {
            w.versionVector(deleteContext)
            w.versionVector(tombstoneSuperseded)
        }
        return w.bytes
    }

    /// Reads what `encoded(includeSupersession:)` wrote, checking every part.
    public init(decoding bytes: [UInt8], includesSupersession: Bool) throws(DecodeError) {
        var r = BinaryReader(bytes)
        let rawCollection = try r.byte()
        guard let collection = RecordCollection(rawValue: rawCollection) else { throw r.fail("unknown collection \(rawCollection)") }
        let id = try r.recordID()
        let scopeRaw = try r.varint()
        let scope: VillageCode
        do { scope = try VillageCode(validating: scopeRaw) } catch { throw r.fail(error.message) }
        var state = RecordState(key: RecordKey(collection, id, scope: scope))
        state.version = try r.versionVector()
        switch try r.byte() {
        case 0: break
        case 1: state.created = try r.sibling()
        case let b: throw r.fail("bad created flag \(b)")
        }
        let fieldCount = try r.count(limit: 256)
        var previous: UInt64? = nil
        for _ in 0..<fieldCount {
            let rawID = try r.varint()
            guard rawID <= UInt64(UInt16.max), previous.map({ rawID > $0 }) ?? true else { throw r.fail("field ids out of order") }
            previous = rawID
            let n = try r.count(limit: 10_000)
            var siblings: [Sibling] = []
            for _ in 0..<n { siblings.append(try r.sibling()) }
            var fs = FieldState(siblings: siblings)
            if includesSupersession { fs.superseded = try r.versionVector() }
            state.fields[FieldID(UInt16(rawID))] = fs
        }
        let tombCount = try r.count(limit: 10_000)
        for _ in 0..<tombCount { state.tombstones.append(try r.sibling()) }
        state.tombstones.sort { $0.dot < $1.dot }
        if includesSupersession {
            state.deleteContext = try r.versionVector()
            state.tombstoneSuperseded = try r.versionVector()
        }
        guard r.isAtEnd else { throw r.fail("\(r.remaining) trailing bytes") }
        self = state
    }

    /// The hash of the observable state: equal on every replica holding the same state.
    public var digest: Digest128 { StableHash.hash128(encoded(includeSupersession: false)) }

    /// Two states show the same thing: same values, concurrent siblings, versions and tombstones.
    public func isObservablyEqual(to other: RecordState) -> Bool {
        encoded(includeSupersession: false) == other.encoded(includeSupersession: false)
    }
}
