import Foundation
import GRDB
import ServerEngine

/// What a verified backup holds: read back from the copy itself, not from the live database.
public struct SQLiteBackupReport: Sendable, Hashable, Codable {
    public var path: String
    /// Records in the copy (deleted records not yet purged included).
    public var records: Int
    /// The highest sequence the copy holds: every change up to it is in the backup.
    public var throughSequence: UInt64
    /// The epoch of the database the copy was taken from.
    public var epoch: UInt64
    public var bytes: Int64
    /// Complete attachment files in the copy's `<path>.attachments` directory.
    public var attachmentFiles: Int
    public var takenAtMilliseconds: Int64
}

extension SQLiteSyncStore {
    /// Copies the database to `path` with SQLite's online backup API (`sqlite3_backup_init`,
    /// `_step`, `_finish`, through GRDB) from one read snapshot, so pushes go on committing while
    /// it runs and the copy is exactly the database as of one commit. The copy is written beside
    /// `path` first, reopened and checked (`PRAGMA integrity_check`, its record count and last
    /// sequence), and only then renamed to `path`; then the backup's position is recorded in the
    /// live database (`recordBackup`), which the server tells devices (SPEC §4, "Restores").
    /// The complete attachment files are copied after the database (so every file complete at
    /// its commit is in), each checked against its hash, to `<path>.attachments`, laid out as
    /// the data directory's `attachments`; partial uploads are not. An existing `path` (or its
    /// attachments directory) is refused, never overwritten.
    public func backup(to path: String, now: Int64) async throws -> SQLiteBackupReport {
        let files = FileManager.default
        let attachments = Self.attachmentBackupDirectory(of: path)
        for taken in [path, attachments] where files.fileExists(atPath: taken) {
            throw SyncEngineError(.invalidArgument, "backup destination \(taken) already exists; name a new file")
        }
        let partial = path + ".partial", partialAttachments = attachments + ".partial"
        for leftover in [partial, partial + "-wal", partial + "-shm", partialAttachments] { try? files.removeItem(atPath: leftover) }
        let report: SQLiteBackupReport = try await guarded("backup to \(path)") {
            let destination = try DatabaseQueue(path: partial)
            try pool.backup(to: destination)
            // The copy leaves WAL mode: one self-contained file, readable without its -wal.
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
            var report = try Self.verifyBackup(at: partial)
            try files.createDirectory(atPath: partialAttachments, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            report.attachmentFiles = try attachmentFiles.copyComplete(into: AttachmentFiles(directory: partialAttachments))
            try files.moveItem(atPath: partialAttachments, toPath: attachments)
            try files.moveItem(atPath: partial, toPath: path)
            report.path = path
            report.takenAtMilliseconds = now
            return report
        }
        try await recordBackup(through: report.throughSequence, at: now)
        return report
    }

    /// Where the backup at `path` keeps the attachment files.
    public static func attachmentBackupDirectory(of path: String) -> String { path + ".attachments" }

    /// Copies the attachment files of the backup at `backup` into the attachments directory
    /// beside the database at `database` (a restore), keeping the files already there (a name is
    /// its bytes); how many it copied. Each copy is checked against its hash.
    public static func restoreAttachments(fromBackup backup: String, toDatabase database: String) throws -> Int {
        try AttachmentFiles(directory: attachmentBackupDirectory(of: backup))
            .copyComplete(into: AttachmentFiles(directory: attachmentDirectory(besideDatabase: database)))
    }

    /// Opens a backup read-only and checks it whole: SQLite's integrity check must answer `ok`;
    /// returns what it holds. Errors name the file and what was wrong.
    public static func verifyBackup(at path: String) throws -> SQLiteBackupReport {
        var config = Configuration()
        config.readonly = true
        let copy = try DatabaseQueue(path: path, configuration: config)
        defer { try? copy.close() }
        return try copy.read { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard problems == ["ok"] else {
                throw SyncEngineError(.storage, "backup \(path) fails SQLite's integrity check: \(problems.prefix(5).joined(separator: "; "))")
            }
            let records = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0
            let mark = try recoveryMark(db)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
            return SQLiteBackupReport(path: path, records: records, throughSequence: mark.lastSequence, epoch: mark.epoch,
                                      bytes: bytes ?? 0, attachmentFiles: try AttachmentFiles(directory: attachmentBackupDirectory(of: path)).totals().files,
                                      takenAtMilliseconds: 0)
        }
    }
}
