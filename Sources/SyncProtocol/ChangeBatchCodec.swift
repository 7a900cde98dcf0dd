import FieldModel
import Foundation
import SyncCore

/// Changes ↔ the columnar `ChangeBatch`: grouped by record, counters and clocks delta-coded.
///
/// Every change in a batch is the sender's: its dots all name `replicas[0]`. Version 2 names a
/// record the server gave a handle by that handle instead of its 16-byte id, splits clocks into
/// milliseconds and logical counter, and codes context counters per replica (SPEC §5).
enum ChangeBatchCodec {
    /// `handles` gives, per change, the handle naming its record (0: its id); only version 2 uses it.
    static func encode(_ changes: [Change], sender: ReplicaID, schemaVersion: UInt32, protocolVersion: UInt32 = SyncProtocolVersion.current,
                       handles: [UInt64] = []) -> Doorstep_Sync_V1_ChangeBatch {
        let compact = protocolVersion >= 2
        let handles = compact && handles.count == changes.count ? handles : Array(repeating: 0, count: changes.count)
        var replicas = TableBuilder<UInt64>()
        _ = replicas.index(sender.rawValue)
        var authors = TableBuilder<String>()
        var keys = KeyColumns(), contexts = VectorColumns(), stamps = ChangeStampColumns(), operations = OperationColumns()
        var changeCounts: [UInt32] = [], versions: [UInt32] = []
        for indexes in groups(of: changes, handles: handles) {
            let group = indexes.map { changes[$0] }
            let first = group[0]
            keys.append(first.record, handle: handles[indexes[0]], idAlways: !compact)
            contexts.append(first.context, table: &replicas)
            changeCounts.append(UInt32(group.count))
            versions.append(first.schemaVersion)
            for change in group {
                stamps.append(change, authorTable: &authors)
                operations.append(change.operation)
            }
        }
        var batch = Doorstep_Sync_V1_ChangeBatch()
        batch.recordIds = Data(keys.ids)
        batch.collections = Data(keys.collections)
        batch.scopeDeltas = keys.scopeDeltas
        batch.contextSizes = contexts.sizes
        batch.contextReplicas = contexts.replicas
        if compact {
            batch.contextCounterDeltas = contexts.counterDeltas
            if keys.handles.deltas.contains(where: { $0 != 0 }) { batch.recordHandles = keys.handles.deltas }
        } else {
            batch.contextCounters = contexts.counters
        }
        batch.changeCounts = changeCounts
        if versions.contains(where: { $0 != schemaVersion }) { batch.schemaVersions = versions }
        stamps.write(into: &batch, compact: compact)
        operations.write(into: &batch)
        batch.replicas = replicas.entries
        batch.authors = authors.entries
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
        let groupHandles = try checkShape(batch, limits: limits, compact: compact)
        let groupCount = batch.collections.count
        let changeCount = batch.ops.count
        guard let senderRaw = batch.replicas.first, senderRaw != 0 || changeCount == 0 else {
            if changeCount == 0 { return ([], [:]) }
            throw ProtocolError(.inconsistent, "a batch of \(changeCount) changes names no sender replica")
        }
        let sender = ReplicaID(senderRaw)
        let authors = try Check.workers(batch.authors)
        var keys = KeyColumnReader(ids: batch.recordIds, collections: batch.collections, scopeDeltas: batch.scopeDeltas, handles: groupHandles)
        var contexts = VectorColumnReader(sizes: batch.contextSizes, replicas: batch.contextReplicas,
                                          counters: contextCounters(batch, compact: compact), table: batch.replicas)
        var stamps = ChangeStampColumnReader(batch, sender: sender, authors: authors, compact: compact)
        var operations = try OperationColumnReader(batch, limits: limits)
        var changes: [Change] = []
        changes.reserveCapacity(changeCount)
        var handleOf: [Int: UInt64] = [:]
        for g in 0..<groupCount {
            let key = try keys.key(g, "group \(g)")
            var context = try contexts.vector(g, "group \(g) context")
            let version = batch.schemaVersions.isEmpty ? schemaVersion : batch.schemaVersions[g]
            guard batch.changeCounts[g] > 0 else { throw ProtocolError(.inconsistent, "group \(g) holds no change") }
            for _ in 0..<Int(batch.changeCounts[g]) {
                let stamp = try stamps.stamp()
                let change = Change(dot: stamp.dot, record: key, operation: try operations.operation(), context: context,
                                    hlc: stamp.hlc, author: stamp.author, schemaVersion: version)
                if keys.handle(g) != 0 { handleOf[changes.count] = keys.handle(g) }
                changes.append(change)
                context = derivedContext(after: change)
            }
        }
        try operations.finish()
        return (changes, handleOf)
    }

    /// The context counters, from version 2's per-replica differences or version 1's column.
    static func contextCounters(_ batch: Doorstep_Sync_V1_ChangeBatch, compact: Bool) -> [UInt64] {
        compact ? ReplicaCounterDeltas.counters(replicas: batch.contextReplicas, deltas: batch.contextCounterDeltas) : batch.contextCounters
    }

    /// Every column's length against the counts that claim it, before any is read; the handles
    /// naming the groups (empty when no group is named by one).
    static func checkShape(_ batch: Doorstep_Sync_V1_ChangeBatch, limits: MessageLimits, compact: Bool) throws(ProtocolError) -> [UInt64] {
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
        if !compact { try Check.equal(batch.contextCounters.count, batch.contextReplicas.count, "context_counters", "context_replicas") }
        try Check.equal(Int(exactly: try Check.sum(batch.contextSizes)) ?? -1, batch.contextReplicas.count, "sum of context_sizes", "context entries")
        try Check.equal(Int(exactly: try Check.sum(batch.changeCounts)) ?? -1, changeCount, "sum of change_counts", "ops")
        try Check.equal(batch.counterDeltas.count, changeCount, "counter_deltas", "ops")
        if !compact { try Check.equal(batch.hlcDeltas.count, changeCount, "hlc_deltas", "ops") }
        try Check.equal(batch.authorIndexes.count, changeCount, "author_indexes", "ops")
        let creates = batch.ops.filter { $0 & 3 == 2 }.count
        try Check.equal(batch.createSizes.count, creates, "create_sizes", "creates")
        try Check.equal(Int(exactly: try Check.sum(batch.createSizes)) ?? -1, batch.createFields.count, "sum of create_sizes", "create_fields")
        return groupHandles
    }
}
