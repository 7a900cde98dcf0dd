import FieldModel
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// The blind index of ID numbers, and re-sealing records under the active data key.
extension PostgresSyncStore: PeopleStore {
    /// Replaces the index rows of every written record whose ID numbers changed (or is new).
    func indexPeople(_ records: [RecordWrite], _ c: PostgresSession) async throws {
        let indexed = records.filter { $0.idNumbersChanged && !Schema.idNumberFields(of: $0.state.key.collection).isEmpty }
        guard !indexed.isEmpty else { return }
        try await c.run("DELETE FROM person_index WHERE record = ANY(\(indexed.map(\.state.key.id.buffer))::bytea[])")
        var owners: [ByteBuffer] = [], blinds: [ByteBuffer] = []
        for record in indexed {
            for blind in codec.personIndex.values(of: record.state) {
                owners.append(record.state.key.id.buffer)
                blinds.append(ByteBuffer(bytes: blind))
            }
        }
        guard !owners.isEmpty else { return }
        try await c.run("INSERT INTO person_index (record, blind) SELECT * FROM unnest(\(owners)::bytea[], \(blinds)::bytea[])")
    }

    public func people(indexes: [[UInt8]]) async throws -> [PersonMatch] {
        guard !indexes.isEmpty else { return [] }
        return try await read("people") { c in
            var out: [PersonMatch] = []
            for row in try await c.rows("""
                SELECT p.blind, r.collection, r.id, r.village FROM person_index p JOIN records r ON r.id = p.record
                WHERE p.blind = ANY(\(indexes.map { ByteBuffer(bytes: $0) })::bytea[]) ORDER BY r.seq
                """) {
                let (blind, collection, id, village) = try row.decode((ByteBuffer, Int64, ByteBuffer, Int64).self)
                out.append(PersonMatch(index: blind.bytes, key: try StoredColumns.key(collection: collection, record: id.bytes, village: village)))
            }
            return out
        }
    }

    /// The batch's rows are locked (`FOR UPDATE`): a push on the same record waits, then sees the re-sealed state.
    public func resealBatch(after cursor: RecordID?, limit: Int) async throws -> ResealProgress {
        try await write("resealBatch") { c in
            let rows = try await c.rows("""
                SELECT id, state FROM records WHERE id > \((cursor ?? RecordID(high: 0, low: 0)).buffer) ORDER BY id LIMIT \(Int64(max(1, limit))) FOR UPDATE
                """)
            var progress = ResealProgress(scanned: rows.count, resealed: 0, last: nil)
            var ids: [ByteBuffer] = [], states: [ByteBuffer] = [], written: [RecordWrite] = []
            for row in rows {
                let (idBuffer, stateBuffer) = try row.decode((ByteBuffer, ByteBuffer).self)
                progress.last = try StoredColumns.recordID(idBuffer.bytes)
                guard codec.needsResealing(stateBuffer.bytes) else { continue }
                let state = try codec.state(stateBuffer)
                ids.append(idBuffer)
                states.append(ByteBuffer(bytes: codec.stateBytes(state)))
                // As a new record: its whole index is written again, under the current blind key.
                written.append(RecordWrite(state: state, previous: nil, now: 0))
            }
            if !ids.isEmpty {
                try await c.run("""
                    UPDATE records SET state = u.state FROM unnest(\(ids)::bytea[], \(states)::bytea[]) AS u(id, state) WHERE records.id = u.id
                    """)
                try await indexPeople(written, c)
            }
            progress.resealed = ids.count
            return progress
        }
    }

    /// PostgreSQL keeps a row's old versions until their space is reused: a database that held
    /// plain states before sealing began keeps them in dead tuples until `VACUUM FULL records`.
    public func finishResealing(hadPlainStates: Bool) async throws -> String? {
        hadPlainStates ? "this database held plain states: run VACUUM FULL records (it locks the table) so their old row versions are gone" : nil
    }

    public func sealingSummary() async throws -> [UInt32?: Int] {
        try await read("sealingSummary") { c in
            var out: [UInt32?: Int] = [:]
            for row in try await c.rows("SELECT substr(state, 1, 6), COUNT(*) FROM records GROUP BY 1") {
                let (head, n) = try row.decode((ByteBuffer, Int64).self)
                out[StoredRecordCodec.keyID(of: head.bytes), default: 0] += Int(n)
            }
            return out
        }
    }
}
