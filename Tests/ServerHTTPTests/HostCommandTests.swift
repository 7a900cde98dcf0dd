import Foundation
import GRDB
import LoadSimulation
import Testing

/// The host's commands against a real data directory: rotate-key while the server runs,
/// verify-logs naming an edited audit entry, recover after every administrator token is gone,
/// and a lost phone wiped by `doorstep-device sync` (SPEC §11.6–11.8).
@Suite("doorstep-server's host commands", .serialized)
struct HostCommandTests {
    let cli = CommandLineTests()

    func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func rotateVerifyRecoverAndWipe() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-host-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var server = try await cli.serve(in: dir)
        var env = ["DOORSTEP_SERVER": server.url.absoluteString]
        _ = try await cli.run("doorstep-server", ["admin", "add-worker", "--id", "li.hua", "--name", "李华", "--role", "villageAssistant",
                                                  "--villages", "140821100201"], environment: env, in: dir)
        let issued = try await cli.run("doorstep-server", ["admin", "issue-code", "--worker", "li.hua"], environment: env, in: dir)
        let code = try #require((json(issued.output) as? [String: Any])?["code"] as? String)
        _ = try await cli.run("doorstep-device", ["enrol", "--server", server.url.absoluteString, "--code", code], in: dir)
        for (n, id) in ["140821196503121239", "14082119700101004X"].enumerated() {
            let add = try await cli.run("doorstep-device", ["add-household", "--head-name", "王建国", "--head-id", id, "--address", "三组\(n)号"], in: dir)
            #expect(add.status == 0, "\(add.output)")
        }
        #expect(try await cli.run("doorstep-device", ["sync"], in: dir).status == 0)

        // A new data key; the server restarted with it; every record re-sealed while it serves.
        let keys = dir + "/doorstep-data/server.sqlite.keys"
        let added = try await cli.run("doorstep-server", ["admin", "generate-key", "--key-file", keys, "--add"], in: dir)
        #expect(added.status == 0 && added.output.contains("added data key 2"), "\(added.output)")
        #expect(server.stop() == 0)
        server = try await cli.serve(in: dir)
        defer { server.stop() }
        env["DOORSTEP_SERVER"] = server.url.absoluteString
        let rotated = try await cli.run("doorstep-server", ["admin", "rotate-key", "--data-dir", "doorstep-data", "--batch", "1"], in: dir)
        #expect(rotated.status == 0 && rotated.output.contains("re-sealed 2") && rotated.output.contains("data key 2: 2"), "\(rotated.output)")
        try (server.url.absoluteString + "\n").write(toFile: dir + "/doorstep-device/server", atomically: true, encoding: .utf8)
        #expect(try await cli.run("doorstep-device", ["sync"], in: dir).status == 0, "the running server reads what rotate-key sealed")
        let found = try await cli.run("doorstep-server", ["admin", "find-person", "14082119700101004x"], environment: env, in: dir)
        #expect((json(found.output) as? [String: Any]).flatMap { $0["results"] as? [[String: Any]] }?.first.flatMap { $0["records"] as? [Any] }?.count == 1,
                "found by blind index, lower-case x and all: \(found.output)")
        #expect(!found.output.contains("14082119700101004"), "the answer never repeats the number")

        // The logs verify; one audit row edited behind the server is named.
        var verified = try await cli.run("doorstep-server", ["admin", "verify-logs", "--data-dir", "doorstep-data"], in: dir)
        #expect(verified.status == 0, "\(verified.output)")
        let queue = try DatabaseQueue(path: dir + "/doorstep-data/server.sqlite")
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET worker = 'mallory' WHERE id = 1")
        }
        try await queue.close()
        verified = try await cli.run("doorstep-server", ["admin", "verify-logs", "--data-dir", "doorstep-data"], in: dir)
        #expect(verified.status == 1 && verified.output.contains("\"id\" : 1") && verified.output.contains("edited"), "\(verified.output)")

        // Every administrator token revoked behind the API: the host recovers, and it is logged.
        let lockout = try DatabaseQueue(path: dir + "/doorstep-data/server.sqlite")
        try await lockout.write { db in try db.execute(sql: "UPDATE credentials SET revoked_at_ms = 1 WHERE kind = 'administrator'") }
        try await lockout.close()
        #expect(try await cli.run("doorstep-server", ["admin", "workers"], environment: env, in: dir).status != 0)
        let recovered = try await cli.run("doorstep-server", ["admin", "recover", "--data-dir", "doorstep-data"], in: dir)
        #expect(recovered.status == 0 && recovered.output.contains("admin.token"), "\(recovered.output)")
        let log = try await cli.run("doorstep-server", ["admin", "security-log", "--limit", "5"], environment: env, in: dir)
        #expect(log.status == 0 && log.output.contains("\"recovery\""), "\(log.output)")

        // The phone is lost: its next sync wipes its directory.
        let devices = try await cli.run("doorstep-server", ["admin", "devices", "--worker", "li.hua"], environment: env, in: dir)
        let device = try #require((json(devices.output) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await cli.run("doorstep-server", ["admin", "revoke-device", device], environment: env, in: dir).status == 0)
        let wiped = try await cli.run("doorstep-device", ["sync"], in: dir)
        #expect(wiped.status != 0 && wiped.output.contains("wiped"), "\(wiped.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/doorstep-device"))
    }
}
