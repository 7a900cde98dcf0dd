import DataProtection
import FieldModel
import Foundation
import LoadSimulation
import Replica
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import SyntheticData
import Synchronization
import Testing

/// Evidence survives a server killed (SIGKILL) in the middle of uploads: the server restarts on
/// its data directory holding every chunk it had answered, the device resumes from its
/// `received`, and the files end complete and exact. The device is closed and reopened between
/// rounds too, as a phone killed by its OS would be.
@Suite("Evidence through a server killed mid-upload", .serialized)
struct AttachmentCrashTests {
    static let village = HTTPFixture.villageA
    static let arguments = ["--rate-burst", "100000", "--enrolment-burst", "1000", "--enrolments-per-second", "1000"]

    /// Counts chunks the server answered and kills it once the count reaches `killAt`.
    final class Killer: Sendable {
        let answered = Mutex(0)
        let killAt: Int
        let server: ServerProcess
        init(killAt: Int, server: ServerProcess) { self.killAt = killAt; self.server = server }
        func chunkAnswered() {
            let now = answered.withLock { $0 += 1; return $0 }
            if now == killAt { server.kill() }
        }
    }

    @Test func aServerKilledDuringUploadsLosesNoChunkItAnswered() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-evidence-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let binary = ChildProcess.siblings.appendingPathComponent("doorstep-server")
        var starts = 0
        func start() async throws -> ServerProcess {
            starts += 1
            return try await ServerProcess.start(executable: binary, dataDirectory: dir + "/server", arguments: Self.arguments, log: dir + "/server-\(starts).log")
        }
        var server = try await start()
        let admin = APIClient(server: server.url, token: try server.adminToken)
        let households = HTTPFixture.households(in: Self.village)
        _ = try await admin.importRoster(csv: Array(RosterCSVWriter.render(households, members: HTTPFixture.dataset.members.filter { $0.village == Self.village }).utf8))
        let worker = HTTPFixture.assistant(Self.village)
        _ = try await admin.createWorker(WorkerDocument(worker))
        let code = try await admin.issueCode(worker: worker.id.rawValue)
        let enrolment = try await DeviceEnrolment.enrol(server: server.url, code: code.code, replica: ReplicaID(0xC4A5_0001), deviceName: "phone")
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let path = dir + "/phone.sqlite"
        var replica: Replica? = try Replica(path: path, identity: enrolment.identity, wallClock: clock)
        func sync() async throws {
            let report = await SyncClient(replica: replica!, transport: HTTPTransport(server: server.url, token: enrolment.token), batchLimit: 50,
                                          pageLimit: 100, catchUpPageLimit: 100, sleep: { _ in }, jitter: { 0.5 }, now: clock).sync()
            try #require(report.succeeded, "\(report.outcome)")
        }
        try await sync()

        var generator = SeededGenerator(seed: 0xC4A5)
        let today = try replica!.today()
        var photos: [RecordID: [UInt8]] = [:]
        // The roster import gives the households their ids: take them as the phone pulled them.
        let pulled = try replica!.households(in: Self.village)
        try #require(pulled.count >= 3, "\(pulled.count) households pulled")
        for (n, household) in pulled.prefix(3).enumerated() {
            let visit = Visit(id: RecordID(milliseconds: clock(), using: &generator), householdID: household.id, village: Self.village,
                              kind: .screening, worker: worker.id, date: today, monthlyIncomeFen: 0, assetsFen: 0,
                              livingCondition: .adequate, recommendation: .none, notes: "入户 \(n)")
            let evidence = (0..<2).map { _ in
                let bytes = AttachmentContentType.jpeg.signature + (0..<Int.random(in: 30_000...60_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let item = Evidence(id: RecordID(milliseconds: clock(), using: &generator), kind: .documentPhoto, takenOn: today, content: .bytes(bytes))
                photos[item.id] = bytes
                return item
            }
            try replica!.recordVisit(visit, evidence: evidence)
        }
        try await sync()

        // Rounds of uploads, each cut by a SIGKILL of the server after a random number of answered
        // chunks; the server restarts on the same data directory, the phone reopens its replica.
        var kills = 0
        while try !replica!.pendingEvidence().isEmpty {
            try #require(kills < 40, "still uploading after \(kills) kills")
            let killer = Killer(killAt: Int.random(in: 1...12, using: &generator), server: server)
            let api = HTTPAttachmentUploadAPI(HTTPTransport(server: server.url, token: enrolment.token))
            let round = await AttachmentUploader(replica: replica!, api: api, chunkMaxBytes: 4_096, onChunk: { _, _ in killer.chunkAnswered() }).upload()
            #expect(round.failures.allSatisfy { !$0.gaveUp }, "\(round.failures)")
            if !server.child.isRunning {
                kills += 1
                try replica!.close()
                replica = try Replica(existingAt: path, wallClock: clock)
                server = try await start()
            }
        }
        #expect(kills >= 3, "\(kills) kills")

        // Every file whole and exact on the restarted server; nothing left on the phone.
        for (id, bytes) in photos {
            let (status, body) = try await Self.download(server.url, id, enrolment.token)
            #expect(status == 200 && body == bytes, "attachment \(id): \(status), \(body.count) of \(bytes.count) bytes")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: path + ".evidence")) ?? []
        #expect(left.isEmpty, "\(left)")
        #expect(server.stop() == 0)
        print("evidence crash: \(photos.count) files, \(photos.values.map(\.count).reduce(0, +)) bytes, \(kills) SIGKILLs of the server mid-upload")
    }

    /// `doorstep-device upload` killed (SIGKILL) after a random number of answered chunks, again
    /// and again: every restart resumes where the server stands, and the files end exact.
    @Test func aDeviceProcessKilledDuringUploadsLosesNothing() async throws {
        let dir = NSTemporaryDirectory() + "doorstep-device-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let binaries = ChildProcess.siblings
        let server = try await ServerProcess.start(executable: binaries.appendingPathComponent("doorstep-server"), dataDirectory: dir + "/server",
                                                   arguments: Self.arguments, log: dir + "/server.log")
        defer { server.stop() }
        let admin = APIClient(server: server.url, token: try server.adminToken)
        _ = try await admin.importRoster(csv: Array(RosterCSVWriter.render(HTTPFixture.households(in: Self.village),
                                                                           members: HTTPFixture.dataset.members.filter { $0.village == Self.village }).utf8))
        let worker = HTTPFixture.assistant(Self.village)
        _ = try await admin.createWorker(WorkerDocument(worker))
        let code = try await admin.issueCode(worker: worker.id.rawValue)
        let tool = binaries.appendingPathComponent("doorstep-device")
        let phone = ["--dir", dir + "/phone"]
        func device(_ arguments: [String]) async throws -> String {
            let (status, output) = try await ChildProcess.run(tool, arguments + phone)
            try #require(status == 0, "doorstep-device \(arguments.first!): \(output)")
            return output
        }
        _ = try await device(["enrol", "--server", server.url.absoluteString, "--code", code.code, "--name", "phone"])
        _ = try await device(["sync"])
        let listing = try await device(["status", "--households"])
        let household = try #require(listing.split(separator: "\n").lazy.compactMap { line in
            line.split(separator: " ").first { RecordID(uuidString: String($0)) != nil }.map(String.init)
        }.first, "\(listing)")
        var generator = SeededGenerator(seed: 0xD1E)
        var files: [String: [UInt8]] = [:]
        for n in 0..<3 {
            // ~750 chunks of 1 KB in all: a whole upload takes seconds, so a watcher slowed by a
            // loaded machine still sees its first chunks before the last (with ~90 it once did not).
            let bytes = AttachmentContentType.jpeg.signature + (0..<Int.random(in: 200_000...300_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = dir + "/photo-\(n).jpg"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            files[ContentHash.sha256(bytes)] = bytes
        }
        _ = try await device(["record-visit", "--household", household] + files.keys.sorted().indices.flatMap { ["--photo", dir + "/photo-\($0).jpg"] })
        _ = try await device(["sync"])

        var kills = 0, finished = false
        while !finished {
            try #require(kills < 40, "still uploading after \(kills) kills")
            // The first three runs are killed after one or two answered chunks of ~750, so they die
            // mid-upload however slowly this test watches; the next seven after up to 150; later
            // runs are left to finish.
            let killAt = kills < 3 ? Int.random(in: 1...2, using: &generator) : kills < 10 ? Int.random(in: 1...150, using: &generator) : Int.max
            let log = dir + "/upload-\(kills).log"
            let child = try ChildProcess.start(tool, ["upload", "--chunk-bytes", "1024"] + phone, log: log)
            while child.isRunning {
                if child.logText.components(separatedBy: "chunk: ").count - 1 >= killAt {
                    child.kill()
                    kills += 1
                    break
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            finished = !child.killed(by: SIGKILL) && child.terminationStatus == 0 && child.logText.contains("0 files waiting")
        }
        #expect(kills >= 3, "\(kills) kills")
        let token = try #require(try FileKeyStore.beside(dir + "/phone/replica.sqlite").text("token"))
        let replica = try Replica(existingAt: dir + "/phone/replica.sqlite", wallClock: { Int64(Date().timeIntervalSince1970 * 1000) })
        let attachments = try replica.viewStates(in: Self.village).filter { $0.key.collection == .attachment }
        try replica.close()
        #expect(attachments.count == files.count)
        for state in attachments {
            let sha = try #require(state.value(FieldModel.Attachment.Field.sha256.id).textValue)
            let (status, body) = try await Self.download(server.url, state.key.id, token)
            #expect(status == 200 && body == files[sha], "attachment \(state.key.id): \(status), \(body.count) bytes")
        }
        print("evidence device crash: \(files.count) files, \(kills) SIGKILLs of doorstep-device upload")
    }

    static func download(_ server: URL, _ id: RecordID, _ token: String) async throws -> (Int, [UInt8]) {
        let r = try await RawResponse.send("GET", server.absoluteString + "/v1/attachments/\(id)/content", headers: ["Authorization": "Bearer \(token)"], body: nil)
        return (r.status, r.body)
    }
}
