import Foundation
import LoadSimulation
import ServerApp
import ServerEngine
import Testing

/// `ServerConfiguration.load`: the command line beats the environment, which beats the file,
/// which beats the defaults; anything it cannot use is refused with the setting named.
@Suite struct ServerConfigurationTests {
    func file(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "doorstep-config-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func optionsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefaults() async throws {
        let path = try file(#"{"port": 9001, "rateBurst": 7, "host": "0.0.0.0", "scopeWarning": 100, "fault": {"crashAfterCommit": 0.25}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["DOORSTEP_PORT": "9002", "DOORSTEP_RATE_BURST": "8.5", "DOORSTEP_LOG_LEVEL": "debug", "DOORSTEP_CONFIG": path,
                           "DOORSTEP_TOMBSTONE_HORIZON_DAYS": "", "DOORSTEP_SYNCED_SHARE_RED_PERCENT": "70"]
        let c = try await ServerConfiguration.load(options: ["port": .integer(9003)], environment: environment)
        #expect(c.port == 9003, "the option")
        #expect(c.limits.deviceBurst == 8.5, "the environment over the file")
        #expect(c.logLevel == .debug, "the environment")
        #expect(c.thresholds.syncedShareRedPercent == 70, "a threshold of the ops pages")
        #expect(c.host == "0.0.0.0" && c.engine.scopeWarningRecords == 100, "the file")
        #expect(c.faults.crashAfterCommitProbability == 0.25, "a nested key of the file")
        let defaults = ServerConfiguration()
        #expect(c.limits.deviceRequestsPerSecond == defaults.limits.deviceRequestsPerSecond, "the default")
        #expect(c.engine.tombstoneHorizonMilliseconds == defaults.engine.tombstoneHorizonMilliseconds, "an empty variable is unset")
    }

    @Test func nothingGivenIsTheDefaults() async throws {
        #expect(try await ServerConfiguration.load(environment: [:]) == ServerConfiguration())
    }

    @Test(arguments: [
        (["DOORSTEP_PORT": "eighty"], "port (--port, DOORSTEP_PORT"),
        (["DOORSTEP_RATE_BURST": "lots"], "rateBurst"),
        (["DOORSTEP_PORT": "70000"], "port 70000 is not a TCP port"),
        (["DOORSTEP_LOG_LEVEL": "loud"], "logLevel loud is not one of"),
        (["DOORSTEP_SCOPE_WARNING": "500", "DOORSTEP_SCOPE_BLOCKING": "400"], "scopeBlocking (400) must be at least scopeWarning (500)"),
        (["DOORSTEP_FAULT_CRASH_AFTER_COMMIT": "2"], "not a probability"),
        (["DOORSTEP_SYNCED_SHARE_RED_PERCENT": "150"], "syncedShareRedPercent (150.0) must be a percent"),
        (["DOORSTEP_DATABASE": "mysql://u:hunter2@h/db"], "neither sqlite nor a postgres:// URL"),
    ])
    func aValueItCannotUseIsRefusedNamingTheSetting(environment: [String: String], problem: String) async throws {
        let error = await #expect(throws: ServerAppError.self) { try await ServerConfiguration.load(environment: environment) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(problem) == true, "\(String(describing: error))")
    }

    @Test func aPasswordIsNeverEchoed() async throws {
        let error = await #expect(throws: ServerAppError.self) {
            try await ServerConfiguration.load(environment: ["DOORSTEP_DATABASE": "postgres://u:hunter2@h/db?pool=0"])
        }
        #expect(error?.message.contains("pool=0") == true && error?.message.contains("hunter2") == false, "\(String(describing: error))")
    }

    @Test func aFileWithAKeyNoSettingHasIsRefused() async throws {
        let path = try file(#"{"port": 8080, "rate": {"burst": 5}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: ServerAppError.self) { try await ServerConfiguration.load(environment: [:], file: path) }
        #expect(error?.code == .configurationFile && error?.message.contains("\"rate.burst\", which is no setting") == true, "\(String(describing: error))")
    }

    @Test func aValueOfTheWrongTypeInTheFileIsRefused() async throws {
        let path = try file(#"{"port": "eighty"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: ServerAppError.self) { try await ServerConfiguration.load(environment: [:], file: path) }
        #expect(error?.message.contains("port (--port") == true, "\(String(describing: error))")
    }

    @Test func aMissingOrBrokenFileIsRefused() async throws {
        let missing = await #expect(throws: ServerAppError.self) { try await ServerConfiguration.load(environment: [:], file: "/nonexistent/doorstep.json") }
        #expect(missing?.code == .configurationFile)
        let path = try file("port = 8080")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let broken = await #expect(throws: ServerAppError.self) { try await ServerConfiguration.load(environment: [:], file: path) }
        #expect(broken?.message.contains("not a JSON object") == true)
    }

    @Test func namesDeriveFromTheKey() throws {
        let fault = try #require(ServerSetting.named("fault.crashAfterCommit"))
        #expect(fault.environmentVariable == "DOORSTEP_FAULT_CRASH_AFTER_COMMIT")
        let enrolments = try #require(ServerSetting.named("enrolmentsPerSecond"))
        #expect(enrolments.option == "--enrolments-per-second" && enrolments.environmentVariable == "DOORSTEP_ENROLMENTS_PER_SECOND")
        #expect(Set(ServerSetting.all.map(\.key)).count == ServerSetting.all.count, "every key once")
    }

    /// `serve --help` offers every setting that has an option, with its variable and default.
    @Test func serveHelpListsEverySetting() async throws {
        let help = try await ChildProcess.run(ChildProcess.siblings.appendingPathComponent("doorstep-server"), ["serve", "--help"]).output
        for setting in ServerSetting.all where setting.hasOption {
            #expect(help.contains(setting.option), "serve --help lacks \(setting.option)")
            #expect(help.contains(setting.environmentVariable), "serve --help lacks \(setting.environmentVariable)")
        }
    }
}
