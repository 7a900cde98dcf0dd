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

            Every option can also be set in the environment: DOORSTEP_DATA_DIR, DOORSTEP_DATABASE, DOORSTEP_HOST,
            DOORSTEP_PORT, DOORSTEP_LOG_LEVEL, DOORSTEP_SERVER, DOORSTEP_TOKEN.
            """,
        subcommands: [Serve.self, Admin.self, Status.self]
    )
}

/// An option's default from the environment, else `fallback`.
func environment(_ name: String, _ fallback: String) -> String {
    ProcessInfoEnvironment.value(name) ?? fallback
}
