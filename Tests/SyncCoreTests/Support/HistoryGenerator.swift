import FieldModel
import SyncCore
import SyntheticData

/// A generated history: several replicas writing a handful of records and passing changes to
/// each other out of order, some of them repeatedly. Replays exactly from its seed.
struct History: Sendable, CustomStringConvertible {
    let seed: UInt64
    let replicas: [ReplicaID]
    let keys: [RecordKey]
    /// Every change made, in the order it was made.
    let changes: [Change]
    /// Each replica's states when the history ended; each has seen part of the changes.
    let replicaStates: [[RecordKey: RecordState]]
    /// Laws broken while generating: a replica's own write not applied, a change refused, a
    /// version vector naming a replica that has not written the record.
    let anomalies: [String]

    /// The call that makes it again.
    let recipe: String

    var description: String {
        "history \(seed), made by \(recipe):\n" + changes.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Makes histories: 2–5 replicas, some with clocks a year off; households (review, `lww` and
/// workflow fields), members (deletable) and visits (immutable); every step picked at random.
struct HistoryGenerator: Sendable {
    var replicaCount: ClosedRange<Int> = 2...5
    var changeCount: ClosedRange<Int> = 5...16

    func make(seed: UInt64) -> History {
        var rng = SeededGenerator(seed: seed)
        let target = rng.int(in: changeCount)
        var time = Fixture.noon + Int64(rng.int(below: 1 << 20))
        var replicas = (0..<rng.int(in: replicaCount)).map { i in
            let offset: Int64 = switch rng.int(below: 4) { case 0: Fixture.year; case 1: -Fixture.year; default: 0 }
            return SimulatedReplica(id: ReplicaID(using: &rng), author: WorkerID(unchecked: "worker-\(i)"), clockOffset: offset)
        }

        let households = (0..<rng.int(in: 1...2)).map { _ in Self.key(.household, &rng) }
        let members = (0..<rng.int(in: 1...2)).map { _ in Self.key(.member, &rng) }
        let visits = (0..<rng.int(below: 2)).map { _ in Self.key(.visit, &rng) }
        let keys = households + members + visits
        var uncreated = keys
        var changes: [Change] = []
        var writers: [RecordKey: Set<ReplicaID>] = [:]
        var anomalies: [String] = []

        var steps = 0
        while changes.count < target && steps < 50 * target {
            steps += 1
            time += Int64(rng.int(below: 3))  // often 0: equal readings on two replicas make lww ties
            let r = rng.int(below: replicas.count)
            let live = keys.filter { replicas[r].canWrite($0) }
            var operation: Change.Operation?
            var key: RecordKey?
            var touched: Set<RecordKey> = []

            switch rng.int(below: 16) {
            case 0..<3 where !uncreated.isEmpty, 0..<16 where changes.isEmpty:
                let k = uncreated.remove(at: rng.int(below: uncreated.count))
                (key, operation) = (k, Self.create(k, household: households[0], author: replicas[r].author, &rng))
            case 3..<6:  // a review field: few of them, so concurrent writes meet
                guard let k = live.isEmpty ? nil : rng.pick(live), k.collection != .visit else { break }
                let field = k.collection == .household ? rng.pick([Household.Field.category.id, Household.Field.monthlyIncomeFen.id]) : Member.Field.disabilityGrade.id
                (key, operation) = (k, .set(field, Self.value(for: field, &rng)))
            case 6..<9:  // an lww field
                guard let k = live.isEmpty ? nil : rng.pick(live), k.collection != .visit else { break }
                let field = k.collection == .household ? rng.pick([Household.Field.notes.id, Household.Field.phone.id]) : Member.Field.name.id
                (key, operation) = (k, .set(field, Self.value(for: field, &rng)))
            case 9..<11:  // the workflow, one allowed step from the status this replica sees
                let candidates = live.filter { $0.collection == .household }
                guard !candidates.isEmpty else { break }
                let k = rng.pick(candidates)
                let seen = replicas[r].states[k]!.value(Household.Field.status.id)
                guard let from = seen.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { break }
                let to = rng.pick(Workflow.targets(from: from).map(\.rawValue).sorted())
                (key, operation) = (k, .transition(Household.Field.status.id, from: seen, to: .text(to)))
            case 11:
                let candidates = live.filter { $0.collection == .member }
                guard !candidates.isEmpty else { break }
                (key, operation) = (rng.pick(candidates), .delete)
            default:  // deliver part of what another replica holds, shuffled, some twice
                guard replicas.count > 1 else { break }
                var s = rng.int(below: replicas.count - 1)
                if s >= r { s += 1 }
                // Mostly changes the receiver lacks; now and then one it holds already.
                let everything = rng.chance(0.25)
                let subset = replicas[s].log.filter { c in
                    replicas[r].holds(c.dot) ? rng.chance(0.1) : everything || rng.chance(0.5)
                }
                let results = replicas[r].receive(rng.shuffledWithDuplicates(subset, extra: 0.2), at: time)
                anomalies += results.compactMap { refusal($0) }
                touched = Set(subset.map(\.record))
            }

            if let key, let operation {
                let change = replicas[r].write(operation, to: key, at: time)
                writers[key, default: []].insert(change.dot.replica)
                let outcome = replicas[r].receive([change], at: time)[0].outcome
                if outcome != .applied { anomalies.append("own write \(change) was \(outcome)") }
                changes.append(change)
                touched = [key]
            }
            // The bound, in every state the step touched: a record's vector names only its writers.
            for key in touched {
                guard let named = replicas[r].states[key]?.version.entries.map(\.replica) else { continue }
                if !named.allSatisfy((writers[key] ?? []).contains) {
                    anomalies.append("replica \(r): \(key) has version \(replicas[r].states[key]!.version), writers \(writers[key] ?? [])")
                }
            }
        }
        return History(seed: seed, replicas: replicas.map(\.id), keys: keys, changes: changes,
                       replicaStates: replicas.map(\.states), anomalies: anomalies,
                       recipe: "HistoryGenerator(replicaCount: \(replicaCount), changeCount: \(changeCount)).make(seed: \(seed))")
    }

    private func refusal(_ result: MergeResult) -> String? {
        if case .refused(let r) = result.outcome { "a generated change was refused: \(r)" } else { nil }
    }

    private static func key(_ collection: RecordCollection, _ rng: inout SeededGenerator) -> RecordKey {
        RecordKey(collection, RecordID(milliseconds: Fixture.noon, using: &rng), scope: Fixture.village)
    }

    private static func create(_ key: RecordKey, household: RecordKey, author: WorkerID, _ rng: inout SeededGenerator) -> Change.Operation {
        switch key.collection {
        case .household:
            return .create([
                Household.Field.headName.id: .text(rng.pick(["王秀英", "张伟"])),
                Household.Field.category.id: value(for: Household.Field.category.id, &rng),
                Household.Field.status.id: .text(WorkflowStatus.applied.rawValue),
                Household.Field.monthlyIncomeFen.id: value(for: Household.Field.monthlyIncomeFen.id, &rng),
                Household.Field.notes.id: value(for: Household.Field.notes.id, &rng),
            ])
        case .member:
            return Fixture.memberCreate(of: household)
        default:
            return Fixture.visitCreate(of: household, by: author)
        }
    }

    /// Values from small pools, so equal values under different dots occur too.
    private static func value(for field: FieldID, _ rng: inout SeededGenerator) -> FieldValue {
        switch field {
        case Household.Field.category.id: .text(rng.pick(HouseholdCategory.allCases.map(\.rawValue)))
        case Household.Field.monthlyIncomeFen.id: .int(rng.pick([0, 30_000, 45_000]))
        case Member.Field.disabilityGrade.id: .int(Int64(rng.int(below: 5)))
        case Household.Field.notes.id: .text(rng.pick(["", "外出务工", "电话已更新"]))
        case Household.Field.phone.id: .text(rng.pick(["13800000000", "0359-2021234"]))
        default: .text(rng.pick(["李建国", "李小红"]))
        }
    }
}

/// One replica in a generated history: its counter, its clock, its records and every change it holds.
struct SimulatedReplica: Sendable {
    let id: ReplicaID
    let author: WorkerID
    /// Added to the simulated time to give this device's wall clock: 0 or a year either way.
    let clockOffset: Int64
    private(set) var clock: HybridLogicalClock
    private(set) var counter: UInt64 = 0
    private(set) var states: [RecordKey: RecordState] = [:]
    /// Every change this replica holds (its own and received), each once, in arrival order.
    private(set) var log: [Change] = []
    private var held: Set<Dot> = []

    init(id: ReplicaID, author: WorkerID, clockOffset: Int64) {
        self.id = id
        self.author = author
        self.clockOffset = clockOffset
        self.clock = HybridLogicalClock(wallClock: { 0 })
    }

    func holds(_ dot: Dot) -> Bool { held.contains(dot) }

    /// Created here and not deleted: the replica's user can edit it.
    func canWrite(_ key: RecordKey) -> Bool {
        guard let s = states[key] else { return false }
        return s.created != nil && !s.isDeleted
    }

    /// A new write, in the context of this replica's view of the record, stamped by its clock.
    mutating func write(_ operation: Change.Operation, to key: RecordKey, at time: Int64) -> Change {
        readWallClock(at: time)
        counter += 1
        return Change(dot: Dot(id, counter), record: key, operation: operation,
                      context: states[key]?.version ?? VersionVector(), hlc: clock.now(), author: author)
    }

    /// Applies changes in the order given, as a receiver does: no reordering, no deduplication.
    @discardableResult
    mutating func receive(_ changes: [Change], at time: Int64) -> [MergeResult] {
        readWallClock(at: time)
        return changes.map { c in
            if held.insert(c.dot).inserted { log.append(c) }
            if c.dot.replica != id { clock.observe(c.hlc) }
            return states[c.record, default: RecordState(key: c.record)].apply(c)
        }
    }

    /// The device's wall clock at the simulated instant `time`: a constant reading, swapped in
    /// under the same clock state.
    private mutating func readWallClock(at time: Int64) {
        let wall = time + clockOffset
        let offset = clock.offset
        clock = HybridLogicalClock(last: clock.last, wallClock: { wall })
        clock.offset = offset
    }
}
