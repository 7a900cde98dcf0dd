import ArgumentParser
import Foundation
import ServerApp
import ServerHTTP
import ServerSQLite

/// `doorstep-server backup`: an online backup of the embedded SQLite store, verified.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite store to a new file while the server runs, verify the copy, record its position.",
        discussion: """
            SQLite's online backup copies the database as of one commit while pushes go on; the copy is reopened and checked
            (integrity check, record count, last sequence) before it takes its name, and the sequence it covers is recorded
            in the store, which tells devices (they keep acknowledged changes until a backup covers them) and exports
            doorstep_backup_last_success_timestamp_seconds. Prints what the copy holds. PostgreSQL is backed up with
            pg_basebackup or pg_dump (README, "Backups and restores"): `backup-position` before it, `record-backup` after.
            """)
    @OptionGroup var store: StoreLocation
    @Option(help: "The new backup file (refused if it exists).") var to: String

    func run() async throws {
        let report = try await store.withOpened { opened in
            guard let sqlite = opened as? SQLiteSyncStore else {
                throw ValidationError("backup copies the embedded SQLite store; back PostgreSQL up with pg_basebackup or pg_dump (README, \"Backups and restores\")")
            }
            return try await sqlite.backup(to: to, now: DoorstepServer.systemClock())
        }
        try printJSON(report)
    }
}

/// `doorstep-server restore`: puts a backup in place (SQLite) and marks the store restored.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the store from a backup while the server is stopped, and start a new epoch that devices notice.",
        discussion: """
            With --from FILE (SQLite), the backup is verified and copied over <data-dir>/server.sqlite (its -wal and -shm
            removed), and the attachment files of FILE.attachments copied into <data-dir>/attachments. On PostgreSQL,
            restore the database first (pg_restore, or a base backup with its WAL), then run this without --from (the
            attachment bytes are in the database). Either way the store gets a new epoch and the server's replica counter moves on: every device
            learns at its next sync that the server was restored, re-sends the acknowledged changes it kept, and pulls
            its villages again from the start. Prints the new epoch and what the store holds.
            """)
    @OptionGroup var store: StoreLocation
    @Option(help: "The SQLite backup to put in place (doorstep-server backup --to).") var from: String?

    func run() async throws {
        let configuration = try await store.configuration()
        if let from {
            guard case .sqlite = configuration.database else { throw ValidationError("--from restores the SQLite store; restore PostgreSQL with its own tools, then run restore without --from") }
            do { _ = try SQLiteSyncStore.verifyBackup(at: from) } catch { throw ValidationError("\(error)") }
            let path = configuration.dataDirectory + "/server.sqlite"
            let files = FileManager.default
            try files.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for file in [path, path + "-wal", path + "-shm"] where files.fileExists(atPath: file) { try files.removeItem(atPath: file) }
            try files.copyItem(atPath: from, toPath: path)
            // The attachment files the backup holds go back beside it; files already there stay.
            do { _ = try SQLiteSyncStore.restoreAttachments(fromBackup: from, toDatabase: path) } catch { throw ValidationError("\(error)") }
        }
        let (epoch, mark) = try await store.withOpened { opened in (try await opened.markRestored(), try await opened.recoveryMark()) }
        try printJSON(["epoch": epoch, "lastSequence": mark.lastSequence])
    }
}

/// `doorstep-server record-backup`: records a backup made by other tools (PostgreSQL's).
struct RecordBackup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-backup",
        abstract: "Record that a backup made outside the server (pg_dump, pg_basebackup) holds every change up to a sequence.",
        discussion: """
            Give --sequence the lastSequence `doorstep-server backup-position` printed before the backup began: a backup
            that began after that sequence committed holds every change up to it.
            """)
    @OptionGroup var store: StoreLocation
    @Option(help: "The sequence the backup holds, as `backup-position` printed it before the backup began.") var sequence: UInt64

    func run() async throws {
        let mark = try await store.withOpened { opened in
            try await opened.recordBackup(through: sequence, at: DoorstepServer.systemClock())
            return try await opened.recoveryMark()
        }
        try printJSON(["backedUpThrough": mark.backedUpThrough, "backedUpAtMilliseconds": UInt64(mark.backedUpAtMilliseconds)])
    }
}

/// `doorstep-server backup-position`: the sequence a backup starting now will hold at least.
struct BackupPosition: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup-position",
        abstract: "Print the store's last committed sequence and epoch: read before pg_dump starts, it is what the dump covers.")
    @OptionGroup var store: StoreLocation

    func run() async throws {
        let mark = try await store.withOpened { try await $0.recoveryMark() }
        try printJSON(["lastSequence": mark.lastSequence, "epoch": mark.epoch, "backedUpThrough": mark.backedUpThrough])
    }
}
