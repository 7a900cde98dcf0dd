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
        var block = Doorstep_Sync_V1_StateBlock()
        var columns = StateColumns()
        var replicas = TableBuilder<UInt64>()
        var authors = TableBuilder<String>()
        var values = ValueColumnWriter()
        var keys = KeyColumns(), versions = VectorColumns(), createdFlags: [UInt8] = []
        var previousCreateHLC: UInt64 = 0
        var createClocks = ClockColumns()

        func appendSibling(_ s: Sibling, version: VersionVector, base: UInt64) {
            columns.siblingReplicas.append(UInt32(replicas.index(s.dot.replica.rawValue)))
            columns.siblingCounterDeltas.append(Int64(bitPattern: s.dot.counter &- version[s.dot.replica]))
            columns.siblingHlcDeltas.append(Int64(bitPattern: s.hlc.rawValue &- base))
            columns.siblingAuthors.append(UInt32(authors.index(s.author.rawValue)))
        }

        for (i, state) in states.enumerated() {
            keys.append(state.key, handle: i < handles.count ? handles[i] : 0)
            versions.append(state.version, table: &replicas)
            let base = state.created?.hlc.rawValue ?? 0
            if let c = state.created {
                createdFlags.append(1)
                columns.createdReplicas.append(UInt32(replicas.index(c.dot.replica.rawValue)))
                columns.createdCounterDeltas.append(Int64(bitPattern: c.dot.counter &- state.version[c.dot.replica]))
                columns.createdHlcDeltas.append(Int64(bitPattern: c.hlc.rawValue &- previousCreateHLC))
                previousCreateHLC = c.hlc.rawValue
                createClocks.append(c.hlc)
                columns.createdAuthors.append(UInt32(authors.index(c.author.rawValue)))
            } else {
                createdFlags.append(0)
            }
            let live = state.fields.filter { !$0.value.siblings.isEmpty }.sorted { $0.key < $1.key }
            columns.fieldCounts.append(UInt32(live.count))
            var previousField: UInt16 = 0
            for (id, field) in live {
                columns.fieldIds.append(UInt32(id.rawValue - previousField))
                previousField = id.rawValue
                if field.siblings.count == 1, let c = state.created, let s = field.siblings.first,
                   s.dot == c.dot, s.hlc == c.hlc, s.author == c.author {
                    columns.siblingCounts.append(0)
                    values.append(s.value)
                } else {
                    columns.siblingCounts.append(UInt32(field.siblings.count))
                    for s in field.siblings {
                        appendSibling(s, version: state.version, base: base)
                        values.append(s.value)
                    }
                }
            }
            columns.tombstoneCounts.append(UInt32(state.tombstones.count))
            for t in state.tombstones { appendSibling(t, version: state.version, base: base) }
        }
        block.createdAuthors = columns.createdAuthors
        block.createdCounterDeltas = columns.createdCounterDeltas
        if compact {
            block.createdHlcMillisecondDeltas = createClocks.millisecondDeltas
            block.createdHlcLogicals = createClocks.logicals
            block.versionCounterDeltas = versions.counterDeltas
            if handles.contains(where: { $0 != 0 }) { block.recordHandles = keys.handles.deltas }
        } else {
            block.createdHlcDeltas = columns.createdHlcDeltas
            block.versionCounters = versions.counters
        }
        block.createdReplicas = columns.createdReplicas
        block.fieldCounts = columns.fieldCounts
        block.fieldIds = columns.fieldIds
        block.scopeDeltas = keys.scopeDeltas
        block.siblingAuthors = columns.siblingAuthors
        block.siblingCounterDeltas = columns.siblingCounterDeltas
        block.siblingCounts = columns.siblingCounts
        block.siblingHlcDeltas = columns.siblingHlcDeltas
        block.siblingReplicas = columns.siblingReplicas
        block.tombstoneCounts = columns.tombstoneCounts
        block.versionReplicas = versions.replicas
        block.versionSizes = versions.sizes
        block.replicas = replicas.entries
        block.authors = authors.entries
        block.recordIds = Data(keys.ids)
        block.collections = Data(keys.collections)
        block.createdFlags = Data(createdFlags)
        block.values = values.finished()
        return block
    }

    /// The page's states and, under version 2, each record's handle.
    static func decode(_ block: Doorstep_Sync_V1_StateBlock, limits: MessageLimits,
                       protocolVersion: UInt32 = 1) throws(ProtocolError) -> (states: [RecordState], handles: [UInt64]) {
        let compact = protocolVersion >= 2
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
        let versionCounters = compact
            ? ReplicaCounterDeltas.counters(replicas: block.versionReplicas, deltas: block.versionCounterDeltas) : block.versionCounters
        try Check.equal(versionCounters.count, block.versionReplicas.count, "version counters", "version_replicas")
        try Check.equal(Int(exactly: try Check.sum(block.versionSizes)) ?? -1, block.versionReplicas.count, "sum of version_sizes", "version entries")
        let flags = [UInt8](block.createdFlags)
        let creates = flags.filter { $0 == 1 }.count
        guard flags.allSatisfy({ $0 <= 1 }) else { throw ProtocolError(.invalidValue, "created_flags holds a value other than 0 or 1") }
        for (count, name) in [(block.createdReplicas.count, "created_replicas"), (block.createdCounterDeltas.count, "created_counter_deltas"),
                              (block.createdAuthors.count, "created_authors")] {
            try Check.equal(count, creates, name, "creates")
        }
        try ColumnSet.check(block, compact: compact, records: n, creates: creates)
        let handles = compact ? try HandleColumn.handles(block.recordHandles, "record") : []
        var createClocks = ClockReader(millisecondDeltas: block.createdHlcMillisecondDeltas, logicals: block.createdHlcLogicals)
        try Check.equal(Int(exactly: try Check.sum(block.fieldCounts)) ?? -1, block.fieldIds.count, "sum of field_counts", "field_ids")
        try Check.equal(block.siblingCounts.count, block.fieldIds.count, "sibling_counts", "field_ids")
        let explicit = try Check.sum(block.siblingCounts) + Check.sum(block.tombstoneCounts)
        try Check.equal(Int(exactly: explicit) ?? -1, block.siblingReplicas.count, "explicit siblings and tombstones", "sibling_replicas")
        for (count, name) in [(block.siblingCounterDeltas.count, "sibling_counter_deltas"), (block.siblingHlcDeltas.count, "sibling_hlc_deltas"),
                              (block.siblingAuthors.count, "sibling_authors")] {
            try Check.equal(count, block.siblingReplicas.count, name, "sibling_replicas")
        }
        let authors = try Check.workers(block.authors)
        let ids = [UInt8](block.recordIds), collections = [UInt8](block.collections)
        var values = try ValueColumnReader(block.values, limits: limits)
        var states: [RecordState] = []
        states.reserveCapacity(n)
        var scope: Int64 = 0, createHLC: UInt64 = 0
        var vAt = 0, cAt = 0, fAt = 0, sAt = 0

        func sibling(_ version: VersionVector, base: UInt64, value: FieldValue) throws(ProtocolError) -> Sibling {
            let r = Int(block.siblingReplicas[sAt]), a = Int(block.siblingAuthors[sAt])
            guard r < block.replicas.count, a < authors.count else {
                throw ProtocolError(.inconsistent, "sibling \(sAt) names replica \(r) or author \(a) beyond the tables")
            }
            let replica = ReplicaID(block.replicas[r])
            let counter = version[replica] &+ UInt64(bitPattern: block.siblingCounterDeltas[sAt])
            guard counter > 0, counter <= version[replica] else {
                throw ProtocolError(.invalidValue, "sibling \(sAt) dot \(replica):\(counter) is not covered by its record's version")
            }
            defer { sAt += 1 }
            return Sibling(dot: Dot(replica, counter), hlc: HLCTimestamp(rawValue: base &+ UInt64(bitPattern: block.siblingHlcDeltas[sAt])),
                           author: authors[a], value: value)
        }

        for i in 0..<n {
            guard let collection = RecordCollection(rawValue: collections[i]) else {
                throw ProtocolError(.invalidValue, "record \(i) names unknown collection \(collections[i])")
            }
            scope = scope &+ block.scopeDeltas[i]
            let key = RecordKey(collection, RecordID(bytes: ids[i * 16..<i * 16 + 16])!, scope: try Check.village(scope, "record \(i)"))
            let size = Int(block.versionSizes[i])
            let version = try Check.vector(replicas: block.versionReplicas, counters: versionCounters, at: vAt, count: size,
                                           table: block.replicas, "record \(i) version")
            vAt += size
            var created: Sibling? = nil
            if flags[i] == 1 {
                let r = Int(block.createdReplicas[cAt]), a = Int(block.createdAuthors[cAt])
                guard r < block.replicas.count, a < authors.count else {
                    throw ProtocolError(.inconsistent, "record \(i) create names replica \(r) or author \(a) beyond the tables")
                }
                let replica = ReplicaID(block.replicas[r])
                let counter = version[replica] &+ UInt64(bitPattern: block.createdCounterDeltas[cAt])
                guard counter > 0, counter <= version[replica] else {
                    throw ProtocolError(.invalidValue, "record \(i) create \(replica):\(counter) is not covered by its version")
                }
                if compact {
                    createHLC = try createClocks.reading(cAt, "record \(i) create").rawValue
                } else {
                    createHLC = createHLC &+ UInt64(bitPattern: block.createdHlcDeltas[cAt])
                }
                created = Sibling(dot: Dot(replica, counter), hlc: HLCTimestamp(rawValue: createHLC), author: authors[a], value: .null)
                cAt += 1
            }
            let base = created?.hlc.rawValue ?? 0
            var fields: [FieldID: [Sibling]] = [:]
            var fieldID: UInt32 = 0
            for j in 0..<Int(block.fieldCounts[i]) {
                let delta = block.fieldIds[fAt]
                guard delta > 0 || j == 0, delta <= UInt32(UInt16.max) - fieldID else {
                    throw ProtocolError(.invalidValue, "record \(i) field ids repeat or overflow")
                }
                fieldID += delta
                let count = Int(block.siblingCounts[fAt])
                fAt += 1
                if count == 0 {
                    guard let c = created else {
                        throw ProtocolError(.inconsistent, "record \(i) field \(fieldID) refers to a create the record does not have")
                    }
                    fields[FieldID(UInt16(fieldID))] = [Sibling(dot: c.dot, hlc: c.hlc, author: c.author, value: try values.next())]
                } else {
                    var siblings: [Sibling] = []
                    for _ in 0..<count { siblings.append(try sibling(version, base: base, value: try values.next())) }
                    guard Set(siblings.map(\.dot)).count == siblings.count else {
                        throw ProtocolError(.invalidValue, "record \(i) field \(fieldID) repeats a dot")
                    }
                    fields[FieldID(UInt16(fieldID))] = siblings
                }
            }
            var tombstones: [Sibling] = []
            for _ in 0..<Int(block.tombstoneCounts[i]) { tombstones.append(try sibling(version, base: base, value: .null)) }
            guard Set(tombstones.map(\.dot)).count == tombstones.count else {
                throw ProtocolError(.invalidValue, "record \(i) repeats a tombstone dot")
            }
            states.append(RecordState(key: key, version: version, created: created, fields: fields, tombstones: tombstones))
        }
        try values.finish()
        return (states, handles)
    }
}

/// The columns of a `StateBlock` as plain arrays while encoding: appending through the generated
/// message's copy-on-write storage would copy a column on every append.
struct StateColumns {
    var createdReplicas: [UInt32] = [], createdCounterDeltas: [Int64] = [], createdHlcDeltas: [Int64] = [], createdAuthors: [UInt32] = []
    var fieldCounts: [UInt32] = [], fieldIds: [UInt32] = [], siblingCounts: [UInt32] = [], siblingReplicas: [UInt32] = []
    var siblingCounterDeltas: [Int64] = [], siblingHlcDeltas: [Int64] = [], siblingAuthors: [UInt32] = [], tombstoneCounts: [UInt32] = []
}
