import FieldModel

extension RecordState {
    /// Applies one change and says what it did. The per-field policy comes from the collection's
    /// schema in FieldModel; nothing here branches on a field's name.
    ///
    /// A write removes the values its context covers and is added unless a write that saw it was
    /// applied first. The result depends only on the set of changes applied, not their order or
    /// repetition.
    /// - Complexity: O(f · s + v) for f fields, s siblings per field and v vector entries.
    @discardableResult
    public mutating func apply(_ change: Change) -> MergeResult {
        guard change.record.collection == key.collection, change.record.id == key.id else {
            return .refused(.wrongRecord, "change \(change.dot) is for \(change.record), not \(key)")
        }
        guard change.record.scope == key.scope else {
            return .refused(.wrongRecord, "change \(change.dot) places \(key.id) in village \(change.record.scope), the record is in \(key.scope)")
        }
        let sibling = { (value: FieldValue) in Sibling(dot: change.dot, hlc: change.hlc, author: change.author, value: value) }

        switch change.operation {
        case .create(let values):
            if let c = created {
                guard c.dot == change.dot else {
                    return .refused(.duplicateCreate, "\(key) was created by \(c.dot); \(change.dot) creates it again")
                }
                // What the create wrote and no later write superseded is what a true replay writes.
                // (A superseded value is gone: a replay differing only there cannot be told apart.)
                let sameContent = c == sibling(.null) && fields.allSatisfy { id, state in
                    state.siblings.allSatisfy { $0.dot != change.dot || values[id].map(sibling) == $0 }
                }
                return sameContent ? .duplicate : .refused(.dotReused, "\(change.dot) created \(key) with different content")
            }
            for id in values.keys where schema.field(id) == nil {
                return .refused(.unknownField, "\(key.collection.name) has no field \(id)")
            }
            created = sibling(.null)
            var events: [ConflictEvent] = []
            for (id, value) in values.sorted(by: { $0.key < $1.key }) {
                events += write(sibling(value), to: id, context: change.context).events
            }
            absorb(change)
            return MergeResult(outcome: .applied, events: events + tombstoneEvents())

        case .set(let id, let value):
            guard let spec = schema.field(id) else { return .refused(.unknownField, "\(key.collection.name) has no field \(id)") }
            switch spec.merge {
            case .immutable: return .refused(.immutable, "\(key.collection.name).\(spec.name) is set once at creation")
            case .workflow: return .refused(.invalidTransition, "\(key.collection.name).\(spec.name) changes only by a workflow transition")
            case .review, .lww: break
            }
            return writeOne(sibling(value), to: id, change: change)

        case .transition(let id, let from, let to):
            guard let spec = schema.field(id) else { return .refused(.unknownField, "\(key.collection.name) has no field \(id)") }
            guard spec.merge == .workflow else {
                return .refused(.invalidTransition, "\(key.collection.name).\(spec.name) is not a workflow field")
            }
            guard Schema.isAllowedTransition(from: from, to: to) else {
                return .refused(.invalidTransition, "\(key.collection.name).\(spec.name): \(from) → \(to) is not an allowed step")
            }
            return writeOne(sibling(to), to: id, change: change)

        case .delete:
            guard schema.deletable else { return .refused(.notDeletable, "\(key.collection.name) records are never deleted") }
            let tombstone = sibling(.null)
            if let same = tombstones.first(where: { $0.dot == change.dot }) {
                return same == tombstone ? .duplicate
                    : .refused(.dotReused, "\(change.dot) was applied to \(key) with different content")
            }
            // A delete removes what it saw even when a later write has already superseded it.
            deleteContext.merge(change.context)
            var removed = 0
            for id in Array(fields.keys) {
                let before = fields[id]!.siblings.count
                fields[id]!.siblings.removeAll { change.context.covers($0.dot) }
                removed += before - fields[id]!.siblings.count
            }
            let tombstonesBefore = tombstones.count
            tombstones.removeAll { change.context.covers($0.dot) }
            removed += tombstonesBefore - tombstones.count
            let added = !tombstoneSuperseded.covers(change.dot)
            if added {
                tombstones.append(tombstone)
                tombstones.sort { $0.dot < $1.dot }
            }
            tombstoneSuperseded.merge(change.context)
            absorb(change)
            // Superseded means nothing changed: a delete that still removed what it saw was applied.
            return MergeResult(outcome: added || removed > 0 ? .applied : .superseded, events: tombstoneEvents())
        }
    }

    private mutating func writeOne(_ sibling: Sibling, to id: FieldID, change: Change) -> MergeResult {
        if let same = fields[id]?.siblings.first(where: { $0.dot == sibling.dot }) {
            return same == sibling ? .duplicate
                : .refused(.dotReused, "\(sibling.dot) was applied to \(key) field \(id) with different content")
        }
        let tombstonesBefore = tombstones.count
        let (added, removed, events) = write(sibling, to: id, context: change.context)
        absorb(change)
        // Superseded means nothing visible changed: a write that saw this one came first.
        let changed = added || removed > 0 || tombstones.count != tombstonesBefore
        return MergeResult(outcome: changed ? .applied : .superseded, events: events + tombstoneEvents())
    }

    /// Removes the siblings `context` covers and adds `sibling` unless a write that saw it, or a
    /// delete that saw it, was applied first. The context is folded in either way, so the result
    /// does not depend on arrival order.
    private mutating func write(_ sibling: Sibling, to id: FieldID, context: VersionVector) -> (added: Bool, removed: Int, events: [ConflictEvent]) {
        var state = fields[id] ?? FieldState()
        let before = state.siblings.count
        state.siblings.removeAll { context.covers($0.dot) }
        let removed = before - state.siblings.count
        let replacedSeveral = before > 1 && state.siblings.isEmpty
        let added = !state.superseded.covers(sibling.dot) && !deleteContext.covers(sibling.dot)
            && !state.siblings.contains(where: { $0.dot == sibling.dot })
        if added {
            state.siblings.append(sibling)
            state.siblings.sort { $0.dot < $1.dot }
        }
        state.superseded.merge(context)
        fields[id] = state
        tombstones.removeAll { context.covers($0.dot) }
        tombstoneSuperseded.merge(context)

        guard state.siblings.count > 1 else {
            return (added, removed, replacedSeveral && added ? [.resolved(field: id, by: sibling)] : [])
        }
        guard added else { return (added, removed, []) }
        if schema.field(id)?.merge.flagsConcurrentValues == true {
            return (added, removed, [.needsReview(field: id, siblings: state.siblings)])
        }
        let winner = state.winner!
        return (added, removed, [.autoResolved(field: id, winner: winner, losers: state.siblings.filter { $0 != winner })])
    }

    /// Folds the change's dot and context into the record's version vector.
    private mutating func absorb(_ change: Change) {
        version.merge(change.context)
        version.add(change.dot)
    }

    private func tombstoneEvents() -> [ConflictEvent] {
        hasDeleteConflict ? [.deleteConflict(tombstones: tombstones)] : []
    }
}
