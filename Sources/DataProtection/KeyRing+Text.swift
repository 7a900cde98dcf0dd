import Crypto
import Foundation

extension KeyRing {
    /// Reads the text form (see `KeyRing`): `index KEY`, `data N KEY [active]`, comments after `#`.
    /// Lines may also be separated by `;`, so a ring fits in one environment variable.
    public init(text: String) throws(KeyRingError) {
        var keys: [UInt32: Secret] = [:]
        var active: UInt32?
        var index: Secret?
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == ";" }).enumerated()
        for (n, raw) in lines {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { continue }
            switch (first, words.count) {
            case ("index", 2):
                guard index == nil else { throw KeyRingError("line \(n + 1): a second index secret") }
                index = try Self.key(words[1], line: n + 1)
            case ("data", 3), ("data", 4):
                guard let id = UInt32(words[1]), id > 0 else { throw KeyRingError("line \(n + 1): data key id \"\(words[1].prefix(12))\" is not a number from 1") }
                guard keys[id] == nil else { throw KeyRingError("line \(n + 1): data key \(id) appears twice") }
                keys[id] = try Self.key(words[2], line: n + 1)
                if words.count == 4 {
                    guard words[3] == "active" else { throw KeyRingError("line \(n + 1): \"\(words[3].prefix(12))\" after a data key; only \"active\" may follow") }
                    guard active == nil else { throw KeyRingError("line \(n + 1): a second active data key") }
                    active = id
                }
            default:
                throw KeyRingError("line \(n + 1): expected \"index KEY\" or \"data N KEY [active]\"")
            }
        }
        guard let index else { throw KeyRingError("no index secret (a line \"index KEY\")") }
        guard !keys.isEmpty else { throw KeyRingError("no data key (a line \"data 1 KEY active\")") }
        // With one data key, it is the active one.
        guard let chosen = active ?? (keys.count == 1 ? keys.keys.first : nil) else {
            throw KeyRingError("\(keys.count) data keys and none marked active; mark the one new data is sealed with")
        }
        try self.init(secrets: keys, activeKeyID: chosen, indexSecret: index)
    }

    /// The text form, keys in base64.
    public var text: String {
        var lines = ["# Doorstep data keys: keep them away from the database and its backups (SPEC §11.6).",
                     "index \(Self.base64(indexSecret))"]
        for id in keyIDs { lines.append("data \(id) \(Self.base64(keys[id]!))\(id == activeKeyID ? " active" : "")") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func key(_ text: String, line: Int) throws(KeyRingError) -> Secret {
        guard let data = Data(base64Encoded: text), data.count == 32 else {
            throw KeyRingError("line \(line): a key is 32 bytes in base64 (44 characters); this one is not")
        }
        return Secret(bytes: Array(data))
    }

    static func base64(_ secret: Secret) -> String { Data(secret.bytes).base64EncodedString() }
}
