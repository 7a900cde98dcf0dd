import Foundation
import LoadSimulation
import Testing

/// The quick start's life cycle with the built executables: a worker, a code, a device, a
/// household, a sync; a refused admin action's exit status; SIGTERM's clean stop; nothing lost
/// over a restart. (The README's own text runs in ExampleTests.)
@Suite("The quick start with doorstep-server and doorstep-device", .serialized)
struct CommandLineTests {
    /// The executables beside the test bundle (`swift build --build-tests` builds them).
    static let binaries = ChildProcess.siblings

    struct Run {
        let status: Int32
        let output: String
    }

    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], in directory: String) async throws -> Run {
        let run = try await ChildProcess.run(Self.binaries.appendingPathComponent(tool), arguments, environment: environment, in: directory)
        return Run(status: run.status, output: run.output)
    }

    /// Starts `doorstep-server serve` on a free port in `directory`, on its default data directory.
    func serve(in directory: String) async throws -> ServerProcess {
        try await ServerProcess.start(executable: Self.binaries.appendingPathComponent("doorstep-server"), dataDirectory: nil,
                                      in: directory, log: directory + "/server.log")
    }

    @Test func theQuickStartWorksAndSIGTERMStopsTheServerCleanly() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-quickstart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.isExecutableFile(atPath: Self.binaries.appendingPathComponent("doorstep-server").path),
                "doorstep-server is built beside the tests in \(Self.binaries.path)")

        var server = try await serve(in: dir)
        let env = ["DOORSTEP_SERVER": server.url.absoluteString]
        let token = try String(contentsOfFile: dir + "/doorstep-data/admin.token", encoding: .utf8)
        #expect(token.hasPrefix("dst_"))

        let worker = try await run("doorstep-server", ["admin", "add-worker", "--id", "li.hua", "--name", "李华", "--role", "villageAssistant",
                                                       "--villages", "140821100201"], environment: env, in: dir)
        #expect(worker.status == 0 && worker.output.contains("\"li.hua\""), "\(worker.output)")
        let issued = try await run("doorstep-server", ["admin", "issue-code", "--worker", "li.hua"], environment: env, in: dir)
        let code = try #require(try JSONSerialization.jsonObject(with: Data(issued.output.utf8)) as? [String: Any])["code"] as? String
        let enrol = try await run("doorstep-device", ["enrol", "--server", server.url.absoluteString, "--code", try #require(code), "--name", "李华的手机"], in: dir)
        #expect(enrol.status == 0 && enrol.output.contains("enrolled dev-"), "\(enrol.output)")
        let add = try await run("doorstep-device", ["add-household", "--head-name", "王建国", "--head-id", "140821196503121239", "--address", "三组12号",
                                                    "--income", "420"], in: dir)
        #expect(add.status == 0, "\(add.output)")
        let sync = try await run("doorstep-device", ["sync"], in: dir)
        #expect(sync.status == 0 && sync.output.contains("pushed 1, acknowledged 1"), "\(sync.output)")

        // A refused admin action exits non-zero with the server's code.
        let bad = try await run("doorstep-server", ["admin", "add-worker", "--id", "x y", "--name", "王", "--role", "villageAssistant", "--villages", "140821100201"],
                                environment: env, in: dir)
        #expect(bad.status != 0 && bad.output.contains("400 invalid_value"), "\(bad.output)")

        #expect(server.stop() == 0, "SIGTERM stops it cleanly")
        #expect(server.child.logText.contains("stopped; every acknowledged change is on disk"))

        // Restarted on the same data directory: nothing was lost, the device is still enrolled.
        server = try await serve(in: dir)
        defer { server.stop() }
        try "\(server.url.absoluteString)\n".write(toFile: dir + "/doorstep-device/server", atomically: true, encoding: .utf8)
        let again = try await run("doorstep-device", ["sync"], in: dir)
        #expect(again.status == 0 && again.output.contains("pushed 0"), "\(again.output)")
        let status = try await run("doorstep-device", ["status"], in: dir)
        #expect(status.output.contains("village 140821100201: 1 households"), "\(status.output)")
    }

    /// A database the server cannot use stops it at start with what is wrong, and never a crash
    /// or a password in the output.
    @Test(arguments: [
        (["--database", "mysql://u@h/db"], "neither sqlite nor a postgres:// URL"),
        (["--database", "postgres://u:hunter2@h/db?pool=0"], "pool=0"),
        (["--database", "postgres://doorstep:hunter2@127.0.0.1:9/doorstep"], "cannot open the server database"),
    ])
    func aDatabaseTheServerCannotUseStopsItAtStart(arguments: [String], problem: String) async throws {
        let dir = NSTemporaryDirectory() + "doorstep-db-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await run("doorstep-server", ["serve", "--port", "0"] + arguments, in: dir)
        #expect(result.status != 0 && result.status < 128, "exits with an error, not a signal: \(result.status)")
        #expect(result.output.contains(problem), "\(result.output)")
        #expect(!result.output.contains("hunter2"), "the password stays out of the output")
    }
}
