import FieldModel
import Foundation
import SyncCore

/// Changes ↔ the columnar `ChangeBatch`: grouped by record, counters and clocks delta-coded.
///
/// Every change in a batch is the sender's: its dots all name `replicas[0]`. Version 2 names a
/// record the server gave a handle by that handle instead of its 16-byte id, splits clocks into
/// milliseconds and logical counter, and codes context counters per replica (SPEC §5).
enum ChangeBatchCodec {
    static func encode(_ changes: [Change], sender: ReplicaID, schemaVersion: UInt32, protocolVersion: UInt32 = SyncProtocolVersion.current,
                       handles: [UInt64] = []) -> Doorstep_Sync_V1_ChangeBatch {
        let compact = protocolVersion >= 2
        var batch = Doorstep_Sync_V1_ChangeBatch()
        var columns = ChangeColumns()
        var replicas = TableBuilder<UInt64>()
        _ = replicas.index(sender.rawValue)
        var authors = TableBuilder<String>()
        var values = ValueColumnWriter()
        var keys = KeyColumns(), contexts = VectorColumns()
        var previousCounter: UInt64 = 0, previousHLC: UInt64 = 0
        var versions: [UInt32] = []
        var clocks = ClockColumns()

        let handles = compact && handles.count == changes.count ? handles : Array(repeating: 0, count: changes.count)
        for indexes in groups(of: changes, handles: handles) {
            let group = indexes.map { changes[$0] }
            let first = group[0]
            keys.append(first.record, handle: handles[indexes[0]], idAlways: !compact)
            contexts.append(first.context, table: &replicas)
            columns.changeCounts.append(UInt32(group.count))
            versions.append(first.schemaVersion)
            for change in group {
                columns.counterDeltas.append(Int64(bitPattern: change.dot.counter &- previousCounter))
                previousCounter = change.dot.counter
                columns.hlcDeltas.append(Int64(bitPattern: change.hlc.rawValue &- previousHLC))
                previousHLC = change.hlc.rawValue
                clocks.append(change.hlc)
                columns.authorIndexes.append(UInt32(authors.index(change.author.rawValue)))
                switch change.operation {
                case .set(let f, let v):
                    columns.ops.append(UInt32(f.rawValue) << 2 | 0)
                    values.append(v)
                case .transition(let f, let from, let to):
                    columns.ops.append(UInt32(f.rawValue) << 2 | 1)
                    values.append(from)
                    values.append(to)
                case .create(let fields):
                    columns.ops.append(2)
                    let sorted = fields.sorted { $0.key < $1.key }
                    columns.createSizes.append(UInt32(sorted.count))
                    for (f, v) in sorted {
                        columns.createFields.append(UInt32(f.rawValue))
                        values.append(v)
                    }
                case .delete:
                    columns.ops.append(3)
                }
            }
        }
        batch.authorIndexes = columns.authorIndexes
        batch.changeCounts = columns.changeCounts
        batch.contextReplicas = contexts.replicas
        batch.contextSizes = contexts.sizes
        batch.counterDeltas = columns.counterDeltas
        batch.createFields = columns.createFields
        batch.createSizes = columns.createSizes
        if compact {
            batch.contextCounterDeltas = contexts.counterDeltas
            batch.hlcMillisecondDeltas = clocks.millisecondDeltas
            batch.hlcLogicals = clocks.logicals
            if keys.handles.deltas.contains(where: { $0 != 0 }) { batch.recordHandles = keys.handles.deltas }
        } else {
            batch.contextCounters = contexts.counters
            batch.hlcDeltas = columns.hlcDeltas
        }
        batch.ops = columns.ops
        batch.scopeDeltas = keys.scopeDeltas
        batch.replicas = replicas.entries
        batch.authors = authors.entries
        batch.recordIds = Data(keys.ids)
        batch.collections = Data(keys.collections)
        batch.values = values.finished()
        if versions.contains(where: { $0 != schemaVersion }) { batch.schemaVersions = versions }
        return batch
    }

    /// Groups runs of consecutive changes to one record (the indexes of `changes`), keeping the
    /// batch's order exactly; a change joins the current group only when it names its record by
    /// the same handle and its context is the group's last context plus the last dot — otherwise
    /// it opens a new group, so decoding reproduces the batch exactly.
    static func groups(of changes: [Change], handles: [UInt64]) -> [[Int]] {
        var groups: [[Int]] = []
        for (i, change) in changes.enumerated() {
            if let last = groups.last?.last, changes[last].record == change.record, handles[last] == handles[i],
               changes[last].schemaVersion == change.schemaVersion,
               change.context == derivedContext(after: changes[last]) {
                groups[groups.count - 1].append(i)
            } else {
                groups.append([i])
            }
        }
        return groups
    }

    static func derivedContext(after change: Change) -> VersionVector {
        var vv = change.context
        vv.add(change.dot)
        return vv
    }

    /// The batch's changes; under version 2, `handles` gives, per change index, the handle that
    /// named its record (the change's id is then `RecordID.unresolved` until the server resolves it).
    static func decode(_ batch: Doorstep_Sync_V1_ChangeBatch, schemaVersion: UInt32, limits: MessageLimits,
                       protocolVersion: UInt32 = 1) throws(ProtocolError) -> (changes: [Change], handles: [Int: UInt64]) {
        let compact = protocolVersion >= 2
        let groupCount = batch.collections.count
        let changeCount = batch.ops.count
        try Check.limit(changeCount, limits.maxChanges, "changes")
        try Check.limit(groupCount, limits.maxChanges, "record groups")
        try Check.limit(batch.replicas.count, limits.maxTableEntries, "replicas")
        try Check.limit(batch.authors.count, limits.maxTableEntries, "authors")
        try Check.limit(batch.contextReplicas.count, limits.maxColumnEntries, "context entries")
        try ColumnSet.check(batch, compact: compact, groups: groupCount, changes: changeCount)
        let groupHandles = compact ? try HandleColumn.handles(batch.recordHandles, "group") : []
        let named = groupHandles.isEmpty ? groupCount : groupHandles.filter { $0 == 0 }.count
        try Check.equal(batch.recordIds.count, named * 16, "record_ids bytes", "16 × groups named by id")
        try Check.equal(batch.scopeDeltas.count, groupCount, "scope_deltas", "groups")
        try Check.equal(batch.contextSizes.count, groupCount, "context_sizes", "groups")
        try Check.equal(batch.changeCounts.count, groupCount, "change_counts", "groups")
        if !batch.schemaVersions.isEmpty { try Check.equal(batch.schemaVersions.count, groupCount, "schema_versions", "groups") }
        let contextCounters = compact
            ? ReplicaCounterDeltas.counters(replicas: batch.contextReplicas, deltas: batch.contextCounterDeltas) : batch.contextCounters
        try Check.equal(contextCounters.count, batch.contextReplicas.count, "context counters", "context_replicas")
        try Check.equal(Int(exactly: try Check.sum(batch.contextSizes)) ?? -1, batch.contextReplicas.count, "sum of context_sizes", "context entries")
        try Check.equal(Int(exactly: try Check.sum(batch.changeCounts)) ?? -1, changeCount, "sum of change_counts", "ops")
        try Check.equal(batch.counterDeltas.count, changeCount, "counter_deltas", "ops")
        if !compact { try Check.equal(batch.hlcDeltas.count, changeCount, "hlc_deltas", "ops") }
        try Check.equal(batch.authorIndexes.count, changeCount, "author_indexes", "ops")
        let creates = batch.ops.filter { $0 & 3 == 2 }.count
        try Check.equal(batch.createSizes.count, creates, "create_sizes", "creates")
        try Check.equal(Int(exactly: try Check.sum(batch.createSizes)) ?? -1, batch.createFields.count, "sum of create_sizes", "create_fields")
        guard let senderRaw = batch.replicas.first, senderRaw != 0 || changeCount == 0 else {
            if changeCount == 0 { return ([], [:]) }
            throw ProtocolError(.inconsistent, "a batch of \(changeCount) changes names no sender replica")
        }
        let sender = ReplicaID(senderRaw)
        let authors = try Check.workers(batch.authors)

        let ids = [UInt8](batch.recordIds), collections = [UInt8](batch.collections)
        var values = try ValueColumnReader(batch.values, limits: limits)
        var changes: [Change] = []
        changes.reserveCapacity(changeCount)
        var scope: Int64 = 0, counter: UInt64 = 0, hlc: UInt64 = 0
        var ctxAt = 0, opAt = 0, createAt = 0, createFieldAt = 0, idAt = 0
        var clocks = ClockReader(millisecondDeltas: batch.hlcMillisecondDeltas, logicals: batch.hlcLogicals)
        var handleOf: [Int: UInt64] = [:]
        // A sender's outbox holds one change per counter: a batch naming a dot twice is not one.
        var counters = Set<UInt64>(minimumCapacity: changeCount)
        for g in 0..<groupCount {
            guard let collection = RecordCollection(rawValue: collections[g]) else {
                throw ProtocolError(.invalidValue, "group \(g) names unknown collection \(collections[g])")
            }
            let handle = groupHandles.isEmpty ? 0 : groupHandles[g]
            let id: RecordID
            if handle == 0 {
                id = RecordID(bytes: ids[idAt * 16..<idAt * 16 + 16])!
                idAt += 1
            } else {
                id = .unresolved
            }
            scope = scope &+ batch.scopeDeltas[g]
            let village = try Check.village(scope, "group \(g)")
            var context = try Check.vector(replicas: batch.contextReplicas, counters: contextCounters,
                                           at: ctxAt, count: Int(batch.contextSizes[g]), table: batch.replicas, "group \(g) context")
            ctxAt += Int(batch.contextSizes[g])
            let version = batch.schemaVersions.isEmpty ? schemaVersion : batch.schemaVersions[g]
            guard batch.changeCounts[g] > 0 else { throw ProtocolError(.inconsistent, "group \(g) holds no change") }
            for _ in 0..<Int(batch.changeCounts[g]) {
                counter = counter &+ UInt64(bitPattern: batch.counterDeltas[opAt])
                guard counter > 0 else { throw ProtocolError(.invalidValue, "change \(opAt) has counter 0") }
                guard counters.insert(counter).inserted else {
                    throw ProtocolError(.inconsistent, "change \(opAt) repeats dot \(sender):\(counter) of the batch")
                }
                if compact {
                    hlc = try clocks.reading(opAt, "change \(opAt)").rawValue
                } else {
                    hlc = hlc &+ UInt64(bitPattern: batch.hlcDeltas[opAt])
                }
                if handle != 0 { handleOf[opAt] = handle }
                let authorIndex = Int(batch.authorIndexes[opAt])
                guard authorIndex < authors.count else {
                    throw ProtocolError(.inconsistent, "change \(opAt) names author \(authorIndex) of \(authors.count)")
                }
                let op = batch.ops[opAt]
                let field = FieldID(UInt16(truncatingIfNeeded: op >> 2))
                guard op >> 2 <= UInt32(UInt16.max) else { throw ProtocolError(.invalidValue, "change \(opAt) names field \(op >> 2)") }
                let operation: Change.Operation
                switch op & 3 {
                case 0: operation = .set(field, try values.next())
                case 1: operation = .transition(field, from: try values.next(), to: try values.next())
                case 2:
                    guard op >> 2 == 0 else { throw ProtocolError(.invalidValue, "create \(opAt) names a field") }
                    var fields: FieldValues = [:]
                    let n = Int(batch.createSizes[createAt])
                    createAt += 1
                    for _ in 0..<n {
                        let f = batch.createFields[createFieldAt]
                        createFieldAt += 1
                        guard f <= UInt32(UInt16.max), fields[FieldID(UInt16(f))] == nil else {
                            throw ProtocolError(.invalidValue, "create \(opAt) names field \(f) twice or out of range")
                        }
                        fields[FieldID(UInt16(f))] = try values.next()
                    }
                    operation = .create(fields)
                default:
                    guard op >> 2 == 0 else { throw ProtocolError(.invalidValue, "delete \(opAt) names a field") }
                    operation = .delete
                }
                let change = Change(dot: Dot(sender, counter), record: RecordKey(collection, id, scope: village),
                                    operation: operation, context: context, hlc: HLCTimestamp(rawValue: hlc),
                                    author: authors[authorIndex], schemaVersion: version)
                changes.append(change)
                context = derivedContext(after: change)
                opAt += 1
            }
        }
        try values.finish()
        return (changes, handleOf)
    }
}

/// The columns of a `ChangeBatch` as plain arrays while encoding (see `StateColumns`).
struct ChangeColumns {
    var changeCounts: [UInt32] = [], ops: [UInt32] = [], counterDeltas: [Int64] = [], hlcDeltas: [Int64] = []
    var authorIndexes: [UInt32] = [], createSizes: [UInt32] = [], createFields: [UInt32] = []
}
