import FieldModel
import Foundation
import SyncCore

/// Changes ↔ the columnar `ChangeBatch`: grouped by record, counters and clocks delta-coded.
///
/// Every change in a batch is the sender's: its dots all name `replicas[0]`.
enum ChangeBatchCodec {
    static func encode(_ changes: [Change], sender: ReplicaID, schemaVersion: UInt32) -> Doorstep_Sync_V1_ChangeBatch {
        var replicas = TableBuilder<UInt64>()
        _ = replicas.index(sender.rawValue)
        var authors = TableBuilder<String>()
        var keys = KeyColumns(), contexts = VectorColumns(), stamps = ChangeStampColumns(), operations = OperationColumns()
        var changeCounts: [UInt32] = [], versions: [UInt32] = []
        for group in groups(of: changes) {
            let first = group[0]
            keys.append(first.record)
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
        batch.contextCounters = contexts.counters
        batch.changeCounts = changeCounts
        if versions.contains(where: { $0 != schemaVersion }) { batch.schemaVersions = versions }
        stamps.write(into: &batch)
        operations.write(into: &batch)
        batch.replicas = replicas.entries
        batch.authors = authors.entries
        return batch
    }

    /// Groups runs of consecutive changes to one record, keeping the batch's order exactly; a
    /// change joins the current group only when its context is the group's last context plus the
    /// last dot — otherwise it opens a new group, so decoding reproduces the batch exactly.
    static func groups(of changes: [Change]) -> [[Change]] {
        var groups: [[Change]] = []
        var lastGroup: [RecordKey: Int] = [:]
        for change in changes {
            if let g = lastGroup[change.record], g == groups.count - 1, let prev = groups[g].last,
               prev.schemaVersion == change.schemaVersion,
               change.context == derivedContext(after: prev) {
                groups[g].append(change)
            } else {
                lastGroup[change.record] = groups.count
                groups.append([change])
            }
        }
        return groups
    }

    static func derivedContext(after change: Change) -> VersionVector {
        var vv = change.context
        vv.add(change.dot)
        return vv
    }

    static func decode(_ batch: Doorstep_Sync_V1_ChangeBatch, schemaVersion: UInt32, limits: MessageLimits) throws(ProtocolError) -> [Change] {
        try checkShape(batch, limits: limits)
        let groupCount = batch.collections.count
        let changeCount = batch.ops.count
        guard let senderRaw = batch.replicas.first, senderRaw != 0 || changeCount == 0 else {
            if changeCount == 0 { return [] }
            throw ProtocolError(.inconsistent, "a batch of \(changeCount) changes names no sender replica")
        }
        let sender = ReplicaID(senderRaw)
        let authors = try Check.workers(batch.authors)
        var keys = KeyColumnReader(ids: batch.recordIds, collections: batch.collections, scopeDeltas: batch.scopeDeltas)
        var contexts = VectorColumnReader(sizes: batch.contextSizes, replicas: batch.contextReplicas, counters: batch.contextCounters,
                                          table: batch.replicas)
        var stamps = ChangeStampColumnReader(batch, sender: sender, authors: authors)
        var operations = try OperationColumnReader(batch, limits: limits)
        var changes: [Change] = []
        changes.reserveCapacity(changeCount)
        for g in 0..<groupCount {
            let key = try keys.key(g, "group \(g)")
            var context = try contexts.vector(g, "group \(g) context")
            let version = batch.schemaVersions.isEmpty ? schemaVersion : batch.schemaVersions[g]
            guard batch.changeCounts[g] > 0 else { throw ProtocolError(.inconsistent, "group \(g) holds no change") }
            for _ in 0..<Int(batch.changeCounts[g]) {
                let stamp = try stamps.stamp()
                let change = Change(dot: stamp.dot, record: key, operation: try operations.operation(), context: context,
                                    hlc: stamp.hlc, author: stamp.author, schemaVersion: version)
                changes.append(change)
                context = derivedContext(after: change)
            }
        }
        try operations.finish()
        return changes
    }

    /// Every column's length against the counts that claim it, before any is read.
    static func checkShape(_ batch: Doorstep_Sync_V1_ChangeBatch, limits: MessageLimits) throws(ProtocolError) {
        let groupCount = batch.collections.count
        let changeCount = batch.ops.count
        try Check.limit(changeCount, limits.maxChanges, "changes")
        try Check.limit(groupCount, limits.maxChanges, "record groups")
        try Check.limit(batch.replicas.count, limits.maxTableEntries, "replicas")
        try Check.limit(batch.authors.count, limits.maxTableEntries, "authors")
        try Check.limit(batch.contextReplicas.count, limits.maxColumnEntries, "context entries")
        try Check.equal(batch.recordIds.count, groupCount * 16, "record_ids bytes", "16 × groups")
        try Check.equal(batch.scopeDeltas.count, groupCount, "scope_deltas", "groups")
        try Check.equal(batch.contextSizes.count, groupCount, "context_sizes", "groups")
        try Check.equal(batch.changeCounts.count, groupCount, "change_counts", "groups")
        if !batch.schemaVersions.isEmpty { try Check.equal(batch.schemaVersions.count, groupCount, "schema_versions", "groups") }
        try Check.equal(batch.contextCounters.count, batch.contextReplicas.count, "context_counters", "context_replicas")
        try Check.equal(Int(exactly: try Check.sum(batch.contextSizes)) ?? -1, batch.contextReplicas.count, "sum of context_sizes", "context entries")
        try Check.equal(Int(exactly: try Check.sum(batch.changeCounts)) ?? -1, changeCount, "sum of change_counts", "ops")
        try Check.equal(batch.counterDeltas.count, changeCount, "counter_deltas", "ops")
        try Check.equal(batch.hlcDeltas.count, changeCount, "hlc_deltas", "ops")
        try Check.equal(batch.authorIndexes.count, changeCount, "author_indexes", "ops")
        let creates = batch.ops.filter { $0 & 3 == 2 }.count
        try Check.equal(batch.createSizes.count, creates, "create_sizes", "creates")
        try Check.equal(Int(exactly: try Check.sum(batch.createSizes)) ?? -1, batch.createFields.count, "sum of create_sizes", "create_fields")
    }
}
