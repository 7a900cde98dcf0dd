import FieldModel
import SyncCore
import SyntheticData

/// The three wire workloads of DESIGN §8, built from seeded synthetic data.
struct WireWorkloads {
    static let server = ReplicaID(0x5E00_0000_0000_0001)
    static let device = ReplicaID(0x7F3A_0000_0000_0001)

    let dataset: Dataset
    /// Each household as the server holds it after creating it.
    let states: [RecordState]

    init(seed: UInt64) {
        dataset = DatasetGenerator.generate(DatasetSpec(seed: seed, size: .township))
        var counter: UInt64 = 0
        states = dataset.households.map { h in
            counter += 1
            let key = RecordKey(.household, h.id, scope: h.village)
            var state = RecordState(key: key)
            state.apply(Change(dot: Dot(WireWorkloads.server, counter), record: key, operation: .create(h.fieldValues),
                               context: VersionVector(), hlc: HLCTimestamp(milliseconds: h.id.milliseconds, logical: 0),
                               author: WorkerID(unchecked: "import")))
            return state
        }
    }

    /// A review round on `count` households: new income, assets and review date, one household
    /// every few minutes, its three fields saved together from one form (one clock reading, the
    /// logical counter telling them apart, as a replica's hybrid clock stamps one transaction).
    /// `shuffled`: the households are a random draw in a random order instead of the roster's
    /// first ones in roster order (their handles and the server's counters then scattered).
    func reviewEdits(households count: Int, startCounter: UInt64 = 1, seed: UInt64, shuffled: Bool = false) -> [Change] {
        var g = SeededGenerator(seed: seed)
        let chosen = shuffled ? Array(states.shuffled(using: &g).prefix(count)) : Array(states.prefix(count))
        let worker = WorkerID(unchecked: "va-bench-1")
        let day = dataset.plan.spec.asOf
        var clock = Int64(day.daysSinceEpoch) * 86_400_000 + 9 * 3_600_000
        var counter = startCounter
        var changes: [Change] = []
        for state in chosen {
            clock += Int64(g.int(in: 120_000...900_000))
            var context = state.version
            let income = max(0, (state.value(Household.Field.monthlyIncomeFen.id).intValue ?? 0) + Int64(g.int(in: -5_000...8_000)))
            let assets = max(0, (state.value(Household.Field.assetsFen.id).intValue ?? 0) + Int64(g.int(in: -50_000...50_000)))
            let edits: [(Household.Field, FieldValue)] = [(.monthlyIncomeFen, .int(income)), (.assetsFen, .int(assets)),
                                                          (.lastReviewedOn, .date(day))]
            for (i, (field, value)) in edits.enumerated() {
                let change = Change(dot: Dot(WireWorkloads.device, counter), record: state.key, operation: .set(field.id, value),
                                    context: context, hlc: HLCTimestamp(milliseconds: clock, logical: UInt16(i)),
                                    author: worker)
                context.add(change.dot)
                counter += 1
                changes.append(change)
            }
        }
        return changes
    }

    /// `count` new visits recorded by the device, as whole-record creates.
    func newVisits(_ count: Int, startCounter: UInt64, seed: UInt64) -> [Change] {
        var g = SeededGenerator(seed: seed)
        let day = dataset.plan.spec.asOf
        var clock = Int64(day.daysSinceEpoch) * 86_400_000 + 9 * 3_600_000
        return dataset.visits.suffix(count).enumerated().map { i, v in
            clock += Int64(g.int(in: 120_000...900_000))
            let id = RecordID(milliseconds: clock, using: &g)
            var fresh = v
            fresh.id = id
            fresh.date = day
            return Change(dot: Dot(WireWorkloads.device, startCounter + UInt64(i)), record: RecordKey(.visit, id, scope: v.village),
                          operation: .create(fresh.fieldValues), context: VersionVector(),
                          hlc: HLCTimestamp(milliseconds: clock, logical: 0), author: v.worker)
        }
    }
}
