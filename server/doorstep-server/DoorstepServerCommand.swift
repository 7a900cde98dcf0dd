import ArgumentParser

@main
struct DoorstepServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorstep-server",
        abstract: "The Doorstep sync server: field devices enrol, sync their visits and records, and reviewers resolve conflicts.",
        discussion: """
            Start it with `doorstep-server serve`. On first start it creates its data directory (an embedded
            SQLite database) and an administrator token, written to <data-dir>/admin.token. With that token,
            `doorstep-server admin` creates workers, issues enrolment codes, revokes devices and imports rosters.

            With `serve --database postgres://…` the records, logs and directory live in PostgreSQL, and several
            instances behind one load balancer share them (server/SCALING.md).

            Every option of serve is also an environment variable and a key of its --config file (serve --help);
            admin and status read DOORSTEP_SERVER, DOORSTEP_TOKEN and DOORSTEP_DATA_DIR.
            """,
        subcommands: [Serve.self, Admin.self, Status.self, Backup.self, Restore.self, BackupPosition.self, RecordBackup.self]
    )
}

/// An option's default from the environment, else `fallback`.
func environment(_ name: String, _ fallback: String) -> String {
    ProcessInfoEnvironment.value(name) ?? fallback
}
