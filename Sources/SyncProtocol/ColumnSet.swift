import FieldModel

/// Which columns each protocol version uses: a message carries its own version's and leaves the
/// other's empty, so a decoder never has two sources for one thing (SPEC §5). `record_handles`
/// may be empty in version 2 too: no record is named by a handle.
enum ColumnSet {
    static func check(_ batch: Doorstep_Sync_V1_ChangeBatch, compact: Bool, groups: Int, changes: Int) throws(ProtocolError) {
        if compact {
            try empty(batch.hlcDeltas.count, "hlc_deltas", version: 2)
            try empty(batch.contextCounters.count, "context_counters", version: 2)
            if !batch.recordHandles.isEmpty { try Check.equal(batch.recordHandles.count, groups, "record_handles", "groups") }
            try Check.equal(batch.hlcMillisecondDeltas.count, changes, "hlc_millisecond_deltas", "ops")
            try Check.equal(batch.hlcLogicals.count, changes, "hlc_logicals", "ops")
            try Check.equal(batch.contextCounterDeltas.count, batch.contextReplicas.count, "context_counter_deltas", "context_replicas")
        } else {
            for (count, name) in [(batch.recordHandles.count, "record_handles"), (batch.hlcMillisecondDeltas.count, "hlc_millisecond_deltas"),
                                  (batch.hlcLogicals.count, "hlc_logicals"), (batch.contextCounterDeltas.count, "context_counter_deltas")] {
                try empty(count, name, version: 1)
            }
        }
    }

    static func check(_ block: Doorstep_Sync_V1_StateBlock, compact: Bool, records: Int, creates: Int) throws(ProtocolError) {
        if compact {
            try empty(block.versionCounters.count, "version_counters", version: 2)
            try empty(block.createdHlcDeltas.count, "created_hlc_deltas", version: 2)
            if !block.recordHandles.isEmpty { try Check.equal(block.recordHandles.count, records, "record_handles", "records") }
            try Check.equal(block.versionCounterDeltas.count, block.versionReplicas.count, "version_counter_deltas", "version_replicas")
            try Check.equal(block.createdHlcMillisecondDeltas.count, creates, "created_hlc_millisecond_deltas", "creates")
            try Check.equal(block.createdHlcLogicals.count, creates, "created_hlc_logicals", "creates")
        } else {
            for (count, name) in [(block.recordHandles.count, "record_handles"), (block.versionCounterDeltas.count, "version_counter_deltas"),
                                  (block.createdHlcMillisecondDeltas.count, "created_hlc_millisecond_deltas"),
                                  (block.createdHlcLogicals.count, "created_hlc_logicals")] {
                try empty(count, name, version: 1)
            }
            try Check.equal(block.createdHlcDeltas.count, creates, "created_hlc_deltas", "creates")
        }
    }

    private static func empty(_ count: Int, _ name: String, version: UInt32) throws(ProtocolError) {
        guard count == 0 else {
            throw ProtocolError(.inconsistent, "\(name) holds \(count) entries, but protocol version \(version) does not use it")
        }
    }
}

extension RecordID {
    /// The id a change named by a handle carries until the server resolves the handle: the nil
    /// UUID, which no device makes (ids are version 7).
    public static let unresolved = RecordID(high: 0, low: 0)
}
