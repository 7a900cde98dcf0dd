import FieldModel
import SyncCore
@testable import SyncProtocol
import SyntheticData

/// Seeded sync messages for the codec's laws: every collection and value kind, texts the value
/// columns pack (ID-card numbers, decimal strings) beside ones they must not, contexts that chain
/// and ones that do not, counters and clocks at their edges.
///
///     var g = MessageGenerator(seed: 7)
///     let request = g.request()     // the same request for seed 7 on every machine
struct MessageGenerator {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    // MARK: Draws

    mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }
    mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
    mutating func digits(_ count: Int, first: ClosedRange<Int> = 0...9) -> String {
        guard count > 0 else { return "" }
        return String(Int.random(in: first, using: &rng)) + (1..<count).map { _ in String(below(10)) }.joined()
    }

    // MARK: Values

    static let villages: [UInt64] = [140821101001, 140821101002, 140821101999, 140827999998, 140802001201,
                                     110101001001, 659004501999, 820101001001]
    mutating func village() -> VillageCode { try! VillageCode(validating: pick(Self.villages)) }

    mutating func replica() -> ReplicaID {
        switch below(4) {
        case 0: ReplicaID(UInt64(1 + below(3)))
        case 1: ReplicaID(UInt64.max - UInt64(below(3)))
        default: ReplicaID(using: &rng)
        }
    }

    mutating func worker() -> WorkerID {
        pick([WorkerID(unchecked: "va-\(pick(Self.villages))-\(1 + below(9))"), WorkerID(unchecked: "tr-140821101-1"),
              WorkerID(unchecked: "x"), WorkerID(unchecked: "A_b.c-" + String(repeating: "9", count: 58))])
    }

    mutating func recordID() -> RecordID {
        oneIn(3) ? RecordID(high: rng.next(), low: rng.next())
            : RecordID(milliseconds: 1_795_000_000_000 + Int64(below(1 << 30)), using: &rng)
    }

    /// Texts of every shape the value columns distinguish.
    mutating func text() -> String {
        switch below(16) {
        case 0: digits(17, first: 1...9) + String(below(10))               // an ID-card number: packed
        case 1: digits(17, first: 1...9) + "X"                             // with check X: packed
        case 2: digits(17, first: 1...9) + "x"                             // lower-case x: stays text
        case 3: "0" + digits(17)                                           // leading zero: stays text
        case 4: digits(1 + below(18), first: 1...9)                        // 1–18 digits: packed
        case 5: pick(["0", "00", "007", "0" + digits(11, first: 1...9), "000000000000000000"])
        case 6: ""
        case 7: digits(19 + below(3), first: 1...9)                        // too long to pack
        case 8: pick(["王建国", "东张村三组12号", "家中老人卧床，收入略有增加", "𠮷野家", "龘"])
        case 9: pick(["👨‍👩‍👧‍👦", "🇨🇳", "ok 👍🏽", "😀" + digits(11, first: 1...9), "\u{200D}"])
        case 10: pick(["+8613835901234", " 123", "12 34", "１２３", "١٢٣", "1e5", "-5", "0x1F", "12\u{0}3"])
        case 11: pick(["999999999999999999", "100000000000000000", "1000000000000000000", "18446744073709551616"])
        case 12: String(repeating: pick(["运城", "a", "🙂"]), count: below(700))
        case 13: digits(17, first: 1...9) + pick(["Y", "XX", " "])
        default: pick(["covered", "underReview", "notes", "Yuncheng", "null", "true"])
        }
    }

    mutating func value() -> FieldValue {
        switch below(10) {
        case 0: .null
        case 1: .bool(oneIn(2))
        case 2: .int(pick([0, 1, -1, 57_000, Int64.min, Int64.max, Int64(bitPattern: rng.next())]))
        case 3, 4, 5: .text(text())
        case 6: .date(CalendarDate(daysSinceEpoch: pick([0, -1, 19_000, 20_412, .min, .max, Int32(truncatingIfNeeded: rng.next())])))
        case 7: .id(recordID())
        default: .ids((0..<pick([0, 1, 2, 5])).map { _ in recordID() })
        }
    }

    // MARK: Causality

    mutating func counter() -> UInt64 {
        pick([1, 2, UInt64(1 + below(1_000)), UInt64(UInt32.max), 1 << 32, 1 << 63, UInt64.max - UInt64(below(3)), rng.next() | 1])
    }

    /// The next counter: usually one more, sometimes a jump either way (never 0).
    mutating func counter(after c: UInt64) -> UInt64 {
        let next: UInt64 = switch below(8) {
        case 0: c &- UInt64(1 + below(5))
        case 1: counter()
        case 2: c &+ UInt64(below(1 << 20))
        default: c &+ 1
        }
        return next == 0 ? 1 : next
    }

    mutating func hlc() -> HLCTimestamp {
        let raw: UInt64 = switch below(5) {
        case 0: UInt64(below(3))
        case 1: (1 << 63) &+ UInt64(bitPattern: Int64(below(5) - 2))
        case 2: UInt64.max - UInt64(below(3))
        case 3: rng.next()
        default: HLCTimestamp(milliseconds: 1_795_000_000_000 + Int64(below(1 << 20)), logical: UInt16(below(3))).rawValue
        }
        return HLCTimestamp(rawValue: raw)
    }

    mutating func hlc(after h: HLCTimestamp) -> HLCTimestamp {
        oneIn(4) ? hlc() : HLCTimestamp(rawValue: h.rawValue &+ UInt64(below(70_000)))
    }

    /// A context of 0–5 distinct replicas from `pool`.
    mutating func context(_ pool: [ReplicaID]) -> VersionVector {
        let size = below(6)
        var chosen: [ReplicaID] = []
        for r in pool.shuffled(using: &rng) where chosen.count < size && !chosen.contains(r) { chosen.append(r) }
        return VersionVector(chosen.map { ($0, counter()) })
    }

    // MARK: Changes

    mutating func operation(_ collection: RecordCollection) -> Change.Operation {
        let fields = collection.schema.fields.map(\.id) + [FieldID(0), FieldID(.max)]
        switch below(8) {
        case 0, 1:
            var values: FieldValues = [:]
            for f in collection.schema.fields where !oneIn(4) { values[f.id] = value() }
            if oneIn(6) { values[pick(fields)] = value() }
            return .create(values)
        case 2: return .transition(pick(fields), from: value(), to: value())
        case 3: return .delete
        default: return .set(pick(fields), value())
        }
    }

    mutating func request() -> SyncRequest {
        let device = replica()
        let pool = [device] + (0..<1 + below(6)).map { _ in replica() }
        let authors = (0..<1 + below(3)).map { _ in worker() }
        let schema: UInt32 = pick([Schema.version, Schema.version, 0, 2, .max])
        let records = (0..<1 + below(5)).map { _ in RecordKey(pick(RecordCollection.allCases), recordID(), scope: village()) }
        var next = counter(), clock = hlc()
        var last: [RecordKey: Change] = [:]
        var changes: [Change] = []
        // Counters jump about but never repeat: an outbox holds one change per counter.
        var used = Set<UInt64>()
        for _ in 0..<pick([0, 1, 2, 3, 8, 20, below(60)]) {
            while !used.insert(next).inserted { next = counter(after: next) }
            let record = pick(records)
            var seen = context(pool)
            if let previous = last[record], below(10) < 6 {
                seen = previous.context
                seen.add(previous.dot)
            }
            let change = Change(dot: Dot(device, next), record: record, operation: operation(record.collection), context: seen,
                                hlc: clock, author: pick(authors), schemaVersion: oneIn(8) ? pick([0, 1, 2, 3, .max]) : schema)
            changes.append(change)
            last[record] = change
            next = counter(after: next)
            clock = hlc(after: clock)
        }
        var cursors: [VillageCode: UInt64] = [:]
        for _ in 0..<below(5) { cursors[village()] = pick([0, 1, rng.next(), .max]) }
        let health = DeviceHealth(outboxCount: below(3) == 0 ? Int(UInt32.max) : below(500),
                                  oldestUnsyncedMilliseconds: oneIn(3) ? nil : pick([1, -1, .max, .min, 1_795_000_000_000]),
                                  localRecords: below(50_000), freeStorageBytes: oneIn(3) ? nil : pick([0, 1, .max]),
                                  rejectedCount: below(4))
        return SyncRequest(schemaVersion: schema, replica: device, appVersion: pick(["1.0.0", "", "2.3.4-beta+运城", String(repeating: "v", count: 64)]),
                           cursors: cursors, changes: changes, health: health, pageLimit: pick([0, 1, 500, Int(UInt32.max)]),
                           deviceTimeMilliseconds: pick([0, -1, .max, .min, 1_795_000_000_000]))
    }

    // MARK: Record states

    /// A record's state after random writes from several replicas, some concurrent: conflicted
    /// fields, tombstones beside live values, or no create at all.
    mutating func recordState() -> RecordState {
        let key = RecordKey(pick(RecordCollection.allCases), recordID(), scope: village())
        let schema = key.collection.schema
        let writers = (0..<1 + below(4)).map { _ in replica() }
        let authors = (0..<1 + below(3)).map { _ in worker() }
        var counters = Dictionary(writers.map { ($0, counter() / 2) }, uniquingKeysWith: max)
        var state = RecordState(key: key)
        var seen = [VersionVector()]
        var clock = hlc()
        func write(_ g: inout MessageGenerator, _ op: Change.Operation) {
            let r = g.pick(writers)
            counters[r] = max(1, counters[r]! &+ 1)
            let context = g.oneIn(3) ? state.version : g.pick(seen)
            state.apply(Change(dot: Dot(r, counters[r]!), record: key, operation: op, context: context, hlc: clock, author: g.pick(authors)))
            seen.append(state.version)
            clock = g.hlc(after: clock)
        }
        if !oneIn(5) { write(&self, .create(Dictionary(schema.fields.map { ($0.id, value()) }, uniquingKeysWith: { a, _ in a }))) }
        let editable = schema.fields.filter { $0.merge == .review || $0.merge == .lww }
        for _ in 0..<below(12) {
            switch below(6) {
            case 0 where schema.deletable: write(&self, .delete)
            case 1 where schema.fields.contains(where: { $0.merge == .workflow }):
                let from = pick(WorkflowStatus.allCases)
                let to = pick(Array(Workflow.targets(from: from)).sorted { $0.rawValue < $1.rawValue })
                write(&self, .transition(schema.fields.first { $0.merge == .workflow }!.id, from: .text(from.rawValue), to: .text(to.rawValue)))
            default:
                if let field = editable.isEmpty ? nil : pick(editable) { write(&self, .set(field.id, value())) }
            }
        }
        return state
    }

    mutating func response() -> SyncResponse {
        var cursors: [VillageCode: UInt64] = [:], digests: [VillageCode: ScopeDigest] = [:]
        for _ in 0..<below(4) { cursors[village()] = pick([0, rng.next(), .max]) }
        for _ in 0..<below(3) {
            digests[village()] = ScopeDigest(value: Digest128(high: rng.next(), low: rng.next()), recordCount: pick([0, 1, Int(UInt32.max)]))
        }
        return SyncResponse(
            serverTimeMilliseconds: pick([0, -1, .max, 1_795_000_061_000]), acked: (0..<below(20)).map { _ in counter() },
            rejections: (0..<below(4)).map { _ in Rejection(counter: counter(), reason: pick(Refusal.Code.allCases).rawValue, message: text()) },
            page: (0..<pick([0, 1, 2, 4, 8, 12])).map { _ in recordState() }, cursors: cursors, hasMore: oneIn(2), digests: digests,
            droppedVillages: (0..<below(3)).map { _ in village() }, rebootstrapVillages: (0..<below(2)).map { _ in village() },
            warnings: (0..<below(3)).map { _ in ScopeWarning(code: pick(["scope_budget_warning", ""]), message: text()) })
    }
}
