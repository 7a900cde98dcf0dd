import DataProtection
import FieldModel
import Foundation
import NIOCore
import PostgresNIO
import ServerEngine
import SyncCore

/// Attachment bytes in the database (SPEC §15.5): `attachment_chunks` holds each chunk as it
/// came, `attachment_files` a file once its whole was checked. Work on one hash takes turns
/// across every instance under a transaction-scoped advisory lock keyed by the schema and the
/// hash, so two requests for the same bytes never interleave.
extension PostgresSyncStore: AttachmentStore {
    public func heldBytes(sha256: String) async throws -> HeldBytes {
        let sha256 = try AttachmentName.checked(sha256)
        return try await read("heldBytes") { c in try await Self.held(sha256, c) }
    }

    public func appendBytes(sha256: String, byteCount: Int64, offset: Int64, chunk: [UInt8]) async throws -> AppendOutcome {
        let sha256 = try AttachmentName.checked(sha256)
        let now = Self.wallClockMilliseconds()
        return try await write("appendBytes") { c in
            try await lockBytes(sha256, c)
            let held = try await Self.held(sha256, c)
            if case .complete = held { return .completed }
            guard held.length == offset else { return .offsetMismatch(held: held) }
            guard Int64(chunk.count) <= byteCount - offset else {
                throw SyncEngineError(.invalidArgument, "\(chunk.count) bytes at offset \(offset) run past the \(byteCount) bytes of \(sha256)")
            }
            if !chunk.isEmpty {
                try await c.run("""
                    INSERT INTO attachment_chunks (sha256, byte_offset, bytes, written_at_ms) VALUES (\(sha256), \(offset), \(ByteBuffer(bytes: chunk)), \(now))
                    """)
            }
            let length = offset + Int64(chunk.count)
            guard length == byteCount else { return .held(length) }
            var hash = ContentHash()
            for bytes in try await c.all("SELECT bytes FROM attachment_chunks WHERE sha256 = \(sha256) ORDER BY byte_offset", as: ByteBuffer.self) {
                hash.update(bytes.readableBytesView)
            }
            let actual = hash.finalize()
            guard actual == sha256 else {
                try await c.run("DELETE FROM attachment_chunks WHERE sha256 = \(sha256)")
                return .hashMismatch(actual: actual)
            }
            try await c.run("INSERT INTO attachment_files (sha256, byte_count, completed_at_ms) VALUES (\(sha256), \(byteCount), \(now))")
            return .completed
        }
    }

    public func readBytes(sha256: String, range: Range<Int64>) async throws -> [UInt8]? {
        let sha256 = try AttachmentName.checked(sha256)
        return try await read("readBytes") { c in
            guard case .complete = try await Self.held(sha256, c) else { return nil }
            let rows = try await c.rows("""
                SELECT byte_offset, bytes FROM attachment_chunks
                WHERE sha256 = \(sha256) AND byte_offset < \(range.upperBound) AND byte_offset + length(bytes) > \(range.lowerBound)
                ORDER BY byte_offset
                """)
            var out: [UInt8] = []
            out.reserveCapacity(range.count)
            for row in rows {
                let (start, bytes) = try row.decode((Int64, ByteBuffer).self)
                let view = bytes.readableBytesView
                let from = Int(max(range.lowerBound, start) - start), to = Int(min(range.upperBound, start + Int64(view.count)) - start)
                out += view[(view.startIndex + from)..<(view.startIndex + to)]
            }
            guard out.count == range.count else {
                throw SyncEngineError(.storage, "the chunks of \(sha256) hold \(out.count) of bytes \(range): the file is incomplete")
            }
            return out
        }
    }

    public func attachmentRecord(_ id: RecordID) async throws -> RecordState? {
        let state = try await readAlone("attachmentRecord") { c in
            try await c.all("SELECT state FROM records WHERE id = \(id.buffer)", as: ByteBuffer.self).first.map(codec.state)
        }
        return state?.key.collection == .attachment ? state : nil
    }

    public func isFiledRelative(worker: WorkerID, household: RecordID) async throws -> Bool {
        let filings = try await readAlone("isFiledRelative") { c in
            try await c.rows("""
                SELECT filing_id, village, staff, household, relation, filed_on FROM filings WHERE staff = \(worker.rawValue) AND household = \(household.buffer)
                """).map { row in
                let (id, village, staff, household, relation, filedOn) = try row.decode((ByteBuffer, Int64, String, ByteBuffer, String, Int64).self)
                return try StoredColumns.filing(id: id.bytes, village: village, staff: staff, household: household.bytes,
                                                relation: relation, filedOnDays: filedOn)
            }
        }
        return Recusal.filing(binding: worker, to: household, in: filings) != nil
    }

    /// Finds the hashes no attachment record names whose last chunk is older than `milliseconds`,
    /// then removes each in a transaction of its own, in its hash's turn and only if still old
    /// (an append may have committed since the scan).
    public func collectAttachmentBytes(writtenBefore milliseconds: Int64) async throws -> Int {
        let candidates = try await read("collectAttachmentBytes") { c in
            let named = Set(try await c.all("SELECT state FROM records WHERE collection = \(Int64(RecordCollection.attachment.rawValue))",
                                            as: ByteBuffer.self).compactMap { try codec.state($0).attachmentSHA256 })
            return try await c.all("""
                SELECT sha256 FROM attachment_chunks GROUP BY sha256 HAVING max(written_at_ms) < \(milliseconds) ORDER BY sha256
                """, as: String.self).filter { !named.contains($0) }
        }
        var removed = 0
        for sha256 in candidates {
            let gone = try await write("collectAttachmentBytes") { c in
                try await lockBytes(sha256, c)
                let latest = try await c.one("SELECT max(written_at_ms) FROM attachment_chunks WHERE sha256 = \(sha256)", as: Int64?.self)
                guard let latest, latest < milliseconds else { return false }
                try await c.run("DELETE FROM attachment_chunks WHERE sha256 = \(sha256)")
                try await c.run("DELETE FROM attachment_files WHERE sha256 = \(sha256)")
                return true
            }
            if gone { removed += 1 }
        }
        return removed
    }

    public func attachmentTotals() async throws -> (files: Int, bytes: Int64) {
        let (files, bytes) = try await read("attachmentTotals") { c in
            try await c.rows("SELECT count(*), COALESCE(sum(byte_count), 0)::bigint FROM attachment_files")[0].decode((Int64, Int64).self)
        }
        return (Int(files), bytes)
    }

    /// Takes `sha256`'s turn until the transaction ends.
    func lockBytes(_ sha256: String, _ c: PostgresSession) async throws {
        try await c.run("SELECT pg_advisory_xact_lock(hashtext(\("doorstep-attachment:" + location.schema + ":" + sha256)))")
    }

    static func held(_ sha256: String, _ c: PostgresSession) async throws -> HeldBytes {
        if let size = try await c.all("SELECT byte_count FROM attachment_files WHERE sha256 = \(sha256)", as: Int64.self).first {
            return .complete(size)
        }
        let (chunks, length) = try await c.rows("""
            SELECT count(*), COALESCE(sum(length(bytes)), 0)::bigint FROM attachment_chunks WHERE sha256 = \(sha256)
            """)[0].decode((Int64, Int64).self)
        return chunks == 0 ? .none : .partial(length)
    }

    /// When a chunk was written, as the retention's cutoff counts (ms since the epoch).
    static func wallClockMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
