import DataProtection
import FieldModel
import Foundation
import LoadSimulation
import ServerEngine
import ServerPostgres
import ServerSQLite
import SyncCore
import TestSupport
import Testing

/// After a roster import and a client-sim run against a real `doorstep-server` process, no ID
/// number the server holds appears in plain text anywhere: not in its data directory (SQLite
/// and WAL), not in a pg_dump of its PostgreSQL schema, not in a device's replica or key store,
/// not in a line of its log (SPEC §11.6).
@Suite("No ID number in plain text, anywhere, after a roster import and a client-sim run", .serialized)
struct PersonalDataScanTests {
    static let city = Assignment(cities: [CityCode(rawValue: 1408)])

    func directory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "scan-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// client-sim's review season against `server` (it imports each township's roster first).
    func run(against server: ServerProcess, in dir: String) async throws -> LoadReport {
        var scenario = try Scenario.named("review-season")
        scenario.householdsPerVillage = 12
        scenario.days = 3
        let configuration = LoadRunConfiguration(devices: 6, scenario: scenario, servers: [server.url], adminToken: try server.adminToken,
                                                 directory: dir + "/run", seed: 11, concurrency: 6, timeScale: 0)
        let report = try await LoadRun(configuration) { _ in }.run()
        #expect(report.verification.passed, "\(report.verification.failures)")
        return report
    }

    /// Every ID number the store holds, read back through its keys.
    static func idNumbers(in store: any SyncStore) async throws -> Set<String> {
        let villages = try await store.villages(coveredBy: city)
        var cursors = Dictionary(uniqueKeysWithValues: villages.map { ($0, UInt64(0)) })
        var found = Set<String>()
        while true {
            let page = try await store.pull(cursors, limit: 2_000)
            for state in page.records {
                for field in Schema.idNumberFields(of: state.key.collection) {
                    for sibling in state.fields[field]?.siblings ?? [] { if let text = sibling.value.textValue { found.insert(text) } }
                }
            }
            cursors = cursors.mapValues { max($0, page.watermark) }
            if !page.hasMore { return found }
        }
    }

    @Test func theSQLiteServerItsDevicesAndItsLogHoldNoIDNumberInPlain() async throws {
        let dir = try directory("sqlite")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await ServerProcess.start(executable: LoadRunTests.binaries.appendingPathComponent("doorstep-server"), dataDirectory: dir + "/server",
                                                   arguments: ["--enrolment-burst", "1000", "--enrolments-per-second", "1000", "--log-level", "debug"],
                                                   log: dir + "/server.log")
        let report = try await run(against: server, in: dir)
        #expect(server.stop() == 0)
        #expect(report.changesAcknowledged > 0)

        let store = try SQLiteSyncStore(path: dir + "/server/server.sqlite")
        let ids = try await Self.idNumbers(in: store)
        try await store.close()
        #expect(ids.count > 50, "the roster and the devices' new households: \(ids.count) ID numbers")
        try Self.expectNoneFound(Array(ids), under: dir + "/server", dir + "/run", dir + "/server.log")
    }

    @Test(.enabled(if: TestPostgres.runs)) func thePostgreSQLSchemaDumpedHoldsNoIDNumberInPlain() async throws {
        let dir = try directory("postgres")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = TestPostgres.freshSchema(prefix: "scan_")
        let url = try TestPostgres.requireURL()
        let database = try TestPostgres.serverURL(schema: schema)
        let ring = KeyRing.generate()
        let server = try await ServerProcess.start(executable: LoadRunTests.binaries.appendingPathComponent("doorstep-server"), dataDirectory: dir + "/server",
                                                   arguments: ["--database", database, "--enrolment-burst", "1000", "--enrolments-per-second", "1000"],
                                                   environment: ["DOORSTEP_DATA_KEYS": ring.text], log: dir + "/server.log")
        _ = try await run(against: server, in: dir)
        #expect(server.stop() == 0)

        let store = try await PostgresSyncStore.open(try PostgresLocation(url: database), keys: ring)
        let ids = try await Self.idNumbers(in: store)
        try await store.close()
        #expect(ids.count > 50)
        // pg_dump of the store's schema, over the same TLS (libpq reads sslmode and sslrootcert).
        let dump = try await ChildProcess.run(try Self.pgDump(), ["--schema=\(schema)", "--no-owner", "--file=\(dir)/dump.sql", "--dbname=\(url)"])
        try #require(dump.status == 0, "\(dump.output)")
        let text = try String(contentsOfFile: dir + "/dump.sql", encoding: .utf8)
        #expect(text.contains("CREATE TABLE \(schema).records") && text.count > 100_000, "the dump holds the schema and its rows")
        try Self.expectNoneFound(Array(ids), under: dir + "/dump.sql", dir + "/run", dir + "/server.log", dir + "/server")
    }

    @Test func theScanFindsAnIDNumberWhereOneIsPlain() throws {
        let dir = try directory("control")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "户主,140821196503121239\n".write(toFile: dir + "/roster.csv", atomically: true, encoding: .utf8)
        #expect(Self.findings(["140821196503121239", "140821196503121247"], under: [dir]).map(\.secret) == ["140821196503121239"])
    }

    static func expectNoneFound(_ ids: [String], under paths: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = findings(ids, under: paths)
        #expect(found.isEmpty, "\(found.count) ID numbers in plain, in \(Set(found.map(\.file)).sorted().prefix(5))", sourceLocation: sourceLocation)
    }

    /// Which of `secrets` appear as UTF-8 in any file at or under `paths`.
    static func findings(_ secrets: [String], under paths: [String]) -> [(file: String, secret: String)] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { files.append(path); continue }
            for case let sub as String in FileManager.default.enumerator(atPath: path)?.allObjects ?? [] {
                var inner: ObjCBool = false
                if FileManager.default.fileExists(atPath: path + "/" + sub, isDirectory: &inner), !inner.boolValue { files.append(path + "/" + sub) }
            }
        }
        var found: [(String, String)] = []
        let needles = secrets.map { Data($0.utf8) }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for (secret, needle) in zip(secrets, needles) where data.range(of: needle) != nil { found.append((file, secret)) }
        }
        return found
    }

    static func pgDump() throws -> URL {
        for dir in (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().reversed() ?? [] {
            let path = "/usr/lib/postgresql/\(dir)/bin/pg_dump"
            if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        throw LoadError(.server, "no pg_dump under /usr/lib/postgresql")
    }
}
