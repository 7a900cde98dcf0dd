import ArgumentParser
import Foundation
import ServerApp
import ServerHTTP
import SyncProtocol

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administrator actions against a running server, with an administrator token.",
        discussion: """
            The token is read from --token, else DOORSTEP_TOKEN, else <data-dir>/admin.token (written by the
            server's first start).

            A first worker and device:
              doorstep-server admin add-worker --id li.hua --name 李华 --role villageAssistant --villages 140821100201
              doorstep-server admin issue-code --worker li.hua
            """,
        subcommands: [Workers.self, AddWorker.self, Assign.self, IssueCode.self, Devices.self, RevokeDevice.self, RevokeWorker.self,
                      FileRelative.self, WithdrawFiling.self, SpecialRoster.self, ImportRoster.self, SecurityLog.self]
    )
}

/// Where the server is and the administrator's token.
struct Connection: ParsableArguments {
    @Option(help: "The server's base URL. [env: DOORSTEP_SERVER]")
    var server = environment("DOORSTEP_SERVER", "http://127.0.0.1:8080")

    @Option(help: "An administrator token. [env: DOORSTEP_TOKEN]")
    var token: String? = ProcessInfoEnvironment.value("DOORSTEP_TOKEN")

    @Option(help: "The server's data directory, to read admin.token from. [env: DOORSTEP_DATA_DIR]")
    var dataDir = environment("DOORSTEP_DATA_DIR", ServerConfiguration().dataDirectory)

    func client() throws -> APIClient {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--server \(server) is not an http(s) URL")
        }
        if let token { return APIClient(server: url, token: token) }
        let path = dataDir + "/admin.token"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("no token: pass --token, set DOORSTEP_TOKEN, or point --data-dir at the server's data directory (no \(path))")
        }
        return APIClient(server: url, token: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Prints a document as indented JSON, the output of every admin command.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs an admin call, printing the server's refusal (code, message, problems) as it is.
func perform<T: Encodable>(_ call: () async throws -> T) async throws {
    do {
        try printJSON(try await call())
    } catch let failure as APIClient.Failure {
        FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
        throw ExitCode(1)
    }
}

/// A worker as the command line gives it.
struct WorkerOptions: ParsableArguments {
    @Option(help: "The worker's id: letters, digits, '.', '-' or '_'.") var id: String
    @Option(help: "The worker's name.") var name: String
    @Option(help: "The worker's role.") var role: String
    @Option(help: "Comma-separated 12-digit village codes.") var villages = ""
    @Option(help: "Comma-separated 9-digit township codes.") var townships = ""
    @Option(help: "Comma-separated 6-digit county codes.") var counties = ""
    @Option(help: "Comma-separated 4-digit city codes.") var cities = ""

    var document: WorkerDocument {
        func list(_ text: String) -> [String] { text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        return WorkerDocument(id: id, name: name, role: role, villages: list(villages), townships: list(townships),
                              counties: list(counties), cities: list(cities))
    }
}

extension Admin {
    struct Workers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workers with their roles and assignments.")
        @OptionGroup var connection: Connection
        func run() async throws { try await perform { try await connection.client().workers() } }
    }

    struct AddWorker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a worker.",
            discussion: "Roles: villageAssistant, townshipReviewer, countyConfirmer, citySupervisor, administrator.")
        @OptionGroup var connection: Connection
        @OptionGroup var worker: WorkerOptions
        func run() async throws { try await perform { try await connection.client().createWorker(worker.document) } }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a worker's name, role and assignment; devices see the new scope on their next sync.")
        @OptionGroup var connection: Connection
        @OptionGroup var worker: WorkerOptions
        func run() async throws { try await perform { try await connection.client().updateWorker(worker.document) } }
    }

    struct IssueCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a one-time enrolment code for a worker's device (shown once).")
        @OptionGroup var connection: Connection
        @Option(help: "The worker the device will serve.") var worker: String
        @Option(help: "Hours the code stays valid (default 72).") var hours: Int?
        func run() async throws { try await perform { try await connection.client().issueCode(worker: worker, lifetimeHours: hours) } }
    }

    struct Devices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolled devices and administrator tokens.")
        @OptionGroup var connection: Connection
        @Option(help: "Only this worker's devices.") var worker: String?
        func run() async throws { try await perform { try await connection.client().devices(worker: worker) } }
    }

    struct RevokeDevice: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one device: its next request gets 401.")
        @OptionGroup var connection: Connection
        @Argument(help: "The device id (dev-…).") var device: String
        func run() async throws { try await perform { try await connection.client().revokeDevice(device) } }
    }

    struct RevokeWorker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every device of a worker (a lost phone, a worker leaving).")
        @OptionGroup var connection: Connection
        @Argument(help: "The worker id.") var worker: String
        func run() async throws { try await perform { try await connection.client().revokeWorkerDevices(worker) } }
    }

    struct ImportRoster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a household roster (CSV, one row per person): all rows or none.",
            discussion: "Columns are listed in protocol/SPEC.md §10.4; English keys or the county sheet's Chinese headers.")
        @OptionGroup var connection: Connection
        @Argument(help: "The CSV file (UTF-8).") var file: String
        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            try await perform { try await connection.client().importRoster(csv: Array(data)) }
        }
    }

    struct SecurityLog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The latest security events: enrolments, revocations, administrator actions, refused requests.")
        @OptionGroup var connection: Connection
        @Option(help: "How many events.") var limit = 50
        func run() async throws { try await perform { try await connection.client().securityLog(limit: limit) } }
    }
}
