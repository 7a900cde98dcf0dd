import Configuration
import Foundation
import Synchronization
import SystemPackage

extension ServerConfiguration {
    /// The environment variable naming a JSON configuration file (`serve --config`).
    public static let fileVariable = "DOORSTEP_CONFIG"

    /// A configuration filled from, first to last: `options` (the command line's, by setting
    /// key), the `DOORSTEP_…` environment variables, the JSON file `file` (else
    /// `DOORSTEP_CONFIG`) names, then the defaults of `ServerConfiguration()`.
    ///
    ///     {"port": 8080, "rateBurst": 120, "fault": {"crashAfterCommit": 0}}
    ///
    /// A key no setting has, a value of the wrong type, or a value out of its domain is refused,
    /// naming the setting and where the value came from; a secret is never echoed.
    public static func load(options: [String: ServerSetting.Value] = [:], environment: [String: String],
                            file: String? = nil) async throws(ServerAppError) -> ServerConfiguration {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in options {
            guard let setting = ServerSetting.named(key) else { throw ServerAppError(.invalidConfiguration, "no setting is called \(key)") }
            values[AbsoluteConfigKey(setting.components)] = ConfigValue(value.content, isSecret: setting.isSecret)
        }
        let ours = environment.filter { $0.key.hasPrefix("DOORSTEP_") && !$0.value.isEmpty }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "the command line", values: values),
            EnvironmentVariablesProvider(environmentVariables: ours).prefixKeys(with: ConfigKey(["doorstep"])),
        ]
        if let path = file ?? ours[fileVariable] {
            try checkKeys(ofFile: path)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw ServerAppError(.configurationFile, "the configuration file \(path) cannot be read: \(error)")
            }
        }
        let problems = Problems()
        let reader = ConfigReader(providers: providers, accessReporter: problems)
        var configuration = ServerConfiguration()
        for setting in ServerSetting.all {
            let key = ConfigKey(setting.components)
            let value: ServerSetting.Value? = switch setting.kind {
            case .text: reader.string(forKey: key, isSecret: setting.isSecret).map { .text($0) }
            case .integer: reader.int(forKey: key).map { .integer($0) }
            case .number: reader.double(forKey: key).map { .number($0) }
            }
            if let problem = problems.take() {
                let shown = setting.isSecret ? "(a secret, not shown)" : "\(problem)"
                throw ServerAppError(.invalidConfiguration,
                                     "\(setting.key) (\(setting.option), \(setting.environmentVariable) or \"\(setting.key)\" in the file) is not \(setting.kind.article): \(shown)")
            }
            if let value { try setting.apply(&configuration, value) }
        }
        try configuration.validate()
        return configuration
    }

    /// Refuses a file that is not a JSON object of known settings: a misspelt key would
    /// otherwise be ignored without a word.
    static func checkKeys(ofFile path: String) throws(ServerAppError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerAppError(.configurationFile, "the configuration file \(path) cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServerAppError(.configurationFile, "the configuration file \(path) is not a JSON object of settings")
        }
        func keys(_ object: [String: Any], _ prefix: String) -> [String] {
            object.flatMap { name, value in
                (value as? [String: Any]).map { keys($0, prefix + name + ".") } ?? [prefix + name]
            }
        }
        let known = Set(ServerSetting.all.map(\.key))
        if let unknown = keys(object, "").sorted().first(where: { !known.contains($0) }) {
            throw ServerAppError(.configurationFile,
                                 "the configuration file \(path) has \"\(unknown.prefix(60))\", which is no setting; the settings are \(ServerSetting.all.map(\.key).joined(separator: ", "))")
        }
    }
}

extension ServerSetting {
    var components: [String] { key.split(separator: ".").map(String.init) }
}

extension ServerSetting.Kind {
    var article: String {
        switch self {
        case .text: "text"
        case .integer: "an integer"
        case .number: "a number"
        }
    }
}

extension ServerSetting.Value {
    var content: ConfigContent {
        switch self {
        case .text(let s): .string(s)
        case .integer(let i): .int(i)
        case .number(let d): .double(d)
        }
    }
}

/// Collects what the reader met while reading a setting: a provider's error or a value that
/// did not convert. The reader itself falls back to the default on both, silently.
private final class Problems: AccessReporter {
    private let first = Mutex<String?>(nil)

    func report(_ event: AccessEvent) {
        var problem: String?
        if let error = event.conversionError { problem = "\(error)" }
        if case .failure(let error) = event.result { problem = "\(error)" }
        for result in event.providerResults {
            if case .failure(let error) = result.result { problem = "\(result.providerName): \(error)" }
        }
        if let problem { first.withLock { $0 = $0 ?? problem } }
    }

    func take() -> String? { first.withLock { p in defer { p = nil }; return p } }
}
