import FieldModel
import Foundation
import SyncCore

/// Record states ↔ the columnar `StateBlock` of a pull page.
///
/// A sibling written by the record's create — every field of a record nobody edited since — is
/// sent as its value alone; counters travel as differences from the record's version entry.
///
/// Version 2 adds each record's handle, codes version counters per replica and splits the creates'
/// clocks into milliseconds and logical counter (SPEC §5).
enum StateBlockCodec {
    static func encode(_ states: [RecordState], protocolVersion: UInt32 = SyncProtocolVersion.current,
                       handles: [UInt64] = []) -> Doorstep_Sync_V1_StateBlock {
        let compact = protocolVersion >= 2
        var replicas = TableBuilder<UInt64>()
        var authors = TableBuilder<String>()
        var keys = KeyColumns(), versions = VectorColumns(), creates = CreatedColumns(), fields = FieldColumns()
        // The order of the appends is the order of first use in the replica and author tables.
        for (i, state) in states.enumerated() {
            keys.append(state.key, handle: compact && i < handles.count ? handles[i] : 0)
            versions.append(state.version, table: &replicas)
            creates.append(state.created, version: state.version, replicaTable: &replicas, authorTable: &authors)
            fields.append(state, replicaTable: &replicas, authorTable: &authors)
        }
        var block = Doorstep_Sync_V1_StateBlock()
        block.recordIds = Data(keys.ids)
        block.collections = Data(keys.collections)
        block.scopeDeltas = keys.scopeDeltas
        block.versionSizes = versions.sizes
        block.versionReplicas = versions.replicas
        if compact {
            block.versionCounterDeltas = versions.counterDeltas
            if keys.handles.deltas.contains(where: { $0 != 0 }) { block.recordHandles = keys.handles.deltas }
        } else {
            block.versionCounters = versions.counters
        }
        creates.write(into: &block, compact: compact)
        fields.write(into: &block)
        block.replicas = replicas.entries
        block.authors = authors.entries
        return block
    }

    /// The page's states and, under version 2, each record's handle (empty when none is given).
    static func decode(_ block: Doorstep_Sync_V1_StateBlock, limits: MessageLimits,
                       protocolVersion: UInt32 = 1) throws(ProtocolError) -> (states: [RecordState], handles: [UInt64]) {
        let compact = protocolVersion >= 2
        try checkShape(block, limits: limits, compact: compact)
        let handles = compact ? try HandleColumn.handles(block.recordHandles, "record") : []
        let n = block.collections.count
        let authors = try Check.workers(block.authors)
        // A page names every record by its id; handles travel beside the ids.
        var keys = KeyColumnReader(ids: block.recordIds, collections: block.collections, scopeDeltas: block.scopeDeltas)
        let versionCounters = compact
            ? ReplicaCounterDeltas.counters(replicas: block.versionReplicas, deltas: block.versionCounterDeltas) : block.versionCounters
        var versions = VectorColumnReader(sizes: block.versionSizes, replicas: block.versionReplicas, counters: versionCounters,
                                          table: block.replicas)
        var creates = CreatedColumnReader(block, authors: authors, compact: compact)
        var fields = try FieldColumnReader(block, authors: authors, limits: limits)
        var states: [RecordState] = []
        states.reserveCapacity(n)
        for i in 0..<n {
            let key = try keys.key(i, "record \(i)")
            let version = try versions.vector(i, "record \(i) version")
            let created = try creates.created(i, version: version)
            let values = try fields.fields(i, version: version, created: created)
            let tombstones = try fields.tombstones(i, version: version, created: created)
            states.append(RecordState(key: key, version: version, created: created, fields: values, tombstones: tombstones))
        }
        try fields.finish()
        return (states, handles)
    }

    /// Every column's length against the counts that claim it, before any is read.
    static func checkShape(_ block: Doorstep_Sync_V1_StateBlock, limits: MessageLimits, compact: Bool) throws(ProtocolError) {
        let n = block.collections.count
        try Check.limit(n, limits.maxRecords, "records")
        try Check.limit(block.replicas.count, limits.maxTableEntries, "replicas")
        try Check.limit(block.authors.count, limits.maxTableEntries, "authors")
        try Check.limit(block.versionReplicas.count, limits.maxColumnEntries, "version entries")
        try Check.limit(block.siblingReplicas.count, limits.maxColumnEntries, "siblings")
        try Check.limit(block.fieldIds.count, limits.maxColumnEntries, "fields")
        try Check.equal(block.recordIds.count, n * 16, "record_ids bytes", "16 × records")
        for (count, name) in [(block.scopeDeltas.count, "scope_deltas"), (block.versionSizes.count, "version_sizes"),
                              (block.createdFlags.count, "created_flags"), (block.fieldCounts.count, "field_counts"),
                              (block.tombstoneCounts.count, "tombstone_counts")] {
            try Check.equal(count, n, name, "records")
        }
        if !compact { try Check.equal(block.versionCounters.count, block.versionReplicas.count, "version_counters", "version_replicas") }
        try Check.equal(Int(exactly: try Check.sum(block.versionSizes)) ?? -1, block.versionReplicas.count, "sum of version_sizes", "version entries")
        let flags = [UInt8](block.createdFlags)
        let creates = flags.filter { $0 == 1 }.count
        guard flags.allSatisfy({ $0 <= 1 }) else { throw ProtocolError(.invalidValue, "created_flags holds a value other than 0 or 1") }
        for (count, name) in [(block.createdReplicas.count, "created_replicas"), (block.createdCounterDeltas.count, "created_counter_deltas"),
                              (block.createdAuthors.count, "created_authors")] {
            try Check.equal(count, creates, name, "creates")
        }
        try ColumnSet.check(block, compact: compact, records: n, creates: creates)
        try Check.equal(Int(exactly: try Check.sum(block.fieldCounts)) ?? -1, block.fieldIds.count, "sum of field_counts", "field_ids")
        try Check.equal(block.siblingCounts.count, block.fieldIds.count, "sibling_counts", "field_ids")
        let explicit = try Check.sum(block.siblingCounts) + Check.sum(block.tombstoneCounts)
        try Check.equal(Int(exactly: explicit) ?? -1, block.siblingReplicas.count, "explicit siblings and tombstones", "sibling_replicas")
        for (count, name) in [(block.siblingCounterDeltas.count, "sibling_counter_deltas"), (block.siblingHlcDeltas.count, "sibling_hlc_deltas"),
                              (block.siblingAuthors.count, "sibling_authors")] {
            try Check.equal(count, block.siblingReplicas.count, name, "sibling_replicas")
        }
    }
}
