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

            generate-key, rotate-key, recover and verify-logs run on the host, against the database itself
            (--data-dir or --database) with the key ring (--key-file or DOORSTEP_DATA_KEYS), not through the API.
            """,
        subcommands: [Workers.self, AddWorker.self, Assign.self, IssueCode.self, Codes.self, RevokeCode.self, Devices.self, RevokeDevice.self,
                      RevokeWorker.self, FileRelative.self, WithdrawFiling.self, SpecialRoster.self, ImportRoster.self, FindPerson.self,
                      SecurityLog.self, LogChains.self, GenerateKey.self, RotateKey.self, Recover.self, VerifyLogs.self]
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
        static let configuration = CommandConfiguration(
            abstract: "Revoke one device (or an administrator token, never the last one).",
            discussion: """
                --reason lost (the default): its next contact is answered 401 revoked and the device wipes its replica, keys
                and token at once, unsynced changes and all. --reason retired (a reassigned or replaced phone): the device
                still hands in its outbox, then wipes.
                """)
        @OptionGroup var connection: Connection
        @Argument(help: "The device id (dev-…).") var device: String
        @Option(help: "lost or retired.") var reason = "lost"
        func run() async throws { try await perform { try await connection.client().revokeDevice(device, reason: reason) } }
    }

    struct RevokeWorker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every device of a worker (a lost phone, a worker leaving) and void their unused enrolment codes.")
        @OptionGroup var connection: Connection
        @Argument(help: "The worker id.") var worker: String
        @Option(help: "lost or retired (see revoke-device).") var reason = "lost"
        func run() async throws { try await perform { try await connection.client().revokeWorkerDevices(worker, reason: reason) } }
    }

    struct Codes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrolment codes (never the codes themselves): unused, used, revoked, expired.")
        @OptionGroup var connection: Connection
        @Option(help: "Only this worker's codes.") var worker: String?
        func run() async throws { try await perform { try await connection.client().enrolmentCodes(worker: worker) } }
    }

    struct RevokeCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one unused enrolment code (code-…): it no longer enrols anything.")
        @OptionGroup var connection: Connection
        @Argument(help: "The code's id, as issue-code and codes show it.") var code: String
        func run() async throws { try await perform { try await connection.client().revokeEnrolmentCode(code) } }
    }

    struct FindPerson: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the records holding ID numbers, by the server's blind index (the numbers are never stored or logged).")
        @OptionGroup var connection: Connection
        @Argument(help: "18-character ID numbers.") var idNumbers: [String]
        func run() async throws { try await perform { try await connection.client().lookUpPeople(idNumbers: idNumbers) } }
    }

    struct LogChains: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The anchor and head of the audit and security logs' hash chains: record the heads outside the server.")
        @OptionGroup var connection: Connection
        func run() async throws { try await perform { try await connection.client().logChains() } }
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
