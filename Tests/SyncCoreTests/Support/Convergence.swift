import FieldModel
import SyncCore

/// DESIGN §4's laws, checked for one set of changes: every order and every repetition of the set
/// gives the reference state (the changes applied once, in the order given) and its digest, and
/// no record's version vector names a replica that never wrote the record.
///
///     let laws = Convergence(history.changes)
///     laws.difference(replay(order), label: "reversed")   // nil when the laws hold
///
/// Each check returns the first violation it finds, described, or nil.
struct Convergence {
    let changes: [Change]
    let reference: [RecordKey: RecordState]
    let digest: ScopeDigest
    private let writers: [RecordKey: Set<ReplicaID>]

    init(_ changes: [Change]) {
        self.changes = changes
        writers = changes.reduce(into: [:]) { $0[$1.record, default: []].insert($1.dot.replica) }
        reference = replay(changes)
        digest = ScopeDigest.of(reference.values)
    }

    /// The record's vector holds only replicas that wrote it: never more entries than writers.
    func boundViolation(_ state: RecordState) -> String? {
        let writers = writers[state.key] ?? []
        let named = state.version.entries.map(\.replica)
        guard named.count > writers.count || !named.allSatisfy(writers.contains) else { return nil }
        return "\(state.key) has version \(state.version) but its writers are \(writers.sorted())"
    }

    /// Applies `order` to fresh states, checking the bound after every change, and checking what
    /// merging says a change did: a duplicate or a refused change leaves its record exactly as it
    /// was; a superseded write leaves it observably so (it folds its context into the supersession
    /// bookkeeping, which the other orders need); a superseded delete too (one that still removes
    /// what it saw reports itself applied).
    func replayCheckingNoOps(_ order: [Change]) -> (states: [RecordKey: RecordState], violation: String?) {
        var states: [RecordKey: RecordState] = [:]
        for c in order {
            let before = states[c.record] ?? RecordState(key: c.record)
            var state = before
            let result = state.apply(c)
            states[c.record] = state
            if let bound = boundViolation(state) { return (states, bound) }
            let unchanged: Bool = switch (result.outcome, c.operation) {
            case (.applied, _): true
            case (.superseded, _): state.isObservablyEqual(to: before)
            case (.duplicate, _), (.refused, _): state == before
            }
            if !unchanged {
                return (states, "\(c) was \(result.outcome) yet changed the record\n  before: \(describe(before))\n  after:  \(describe(state))")
            }
        }
        return (states, nil)
    }

    /// Re-applies every change to the reference: each is a duplicate or superseded, and nothing changes.
    func idempotenceViolation() -> String? {
        var states = reference
        for c in changes {
            let result = states[c.record]!.apply(c)
            guard result.outcome == .duplicate || result.outcome == .superseded else {
                return "re-applying \(c) gave \(result.outcome)"
            }
        }
        return difference(states, label: "re-applied", digest: false)
    }

    /// The first record whose state differs from the reference, or a digest that differs.
    func difference(_ states: [RecordKey: RecordState], label: String, digest compareDigest: Bool = true) -> String? {
        if states != reference {
            for key in Set(states.keys).union(reference.keys).sorted() where states[key] != reference[key] {
                return "\(label): \(key) differs\n  reference: \(describe(reference[key]))\n  got:       \(describe(states[key]))"
            }
        }
        guard compareDigest else { return nil }
        let d = ScopeDigest.of(states.values)
        return d == digest ? nil : "\(label): equal states but digest \(d) ≠ \(digest)"
    }
}

/// A one-line account of a state, for failure messages.
func describe(_ state: RecordState?) -> String {
    guard let s = state else { return "absent" }
    let fields = s.fields.sorted { $0.key < $1.key }.map { id, f in
        "\(id)=[" + f.siblings.map { "\($0.dot)·\($0.value)" }.joined(separator: ",") + "]⊒\(f.superseded)"
    }
    return "v=\(s.version) created=\(s.created.map { "\($0.dot)" } ?? "nil") \(fields.joined(separator: " "))"
        + " tomb=\(s.tombstones.map(\.dot)) del⊒\(s.deleteContext) tomb⊒\(s.tombstoneSuperseded)"
}
