import Foundation
import Testing

/// One request of the hostile API catalogue and the answer it must get. The request is built
/// against the stage when the case runs, so it can carry real tokens, record ids and counters.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: Expected
    let request: @Sendable (HostileStage) throws -> HostileRequest

    enum Expected: Sendable, Hashable, CustomStringConvertible {
        /// The whole request is refused: this status and error code, and the database is as it was.
        case refused(Int, String)
        /// The sync is answered (200) and every change of its batch rejected with these reasons,
        /// in counter order (SPEC §6): only the rejections are recorded, and a re-send gets the same.
        case rejected([String])

        var description: String {
            switch self {
            case .refused(let status, let code): "\(status) \(code)"
            case .rejected(let reasons): "200, rejected \(reasons.joined(separator: ", "))"
            }
        }
    }

    init(_ name: String, _ expected: Expected, _ request: @escaping @Sendable (HostileStage) throws -> HostileRequest) {
        self.name = name
        self.expected = expected
        self.request = request
    }

    /// A case whose batch is refused change by change.
    static func rejected(_ name: String, _ reason: String, _ request: @escaping @Sendable (HostileStage) throws -> HostileRequest) -> HostileCase {
        HostileCase(name, .rejected([reason]), request)
    }

    var testDescription: String { "\(name) → \(expected)" }
}

/// A request as it goes on the wire; `token` nil sends no `Authorization` header (or the one in `headers`).
struct HostileRequest: Sendable {
    var method: String
    var path: String
    var token: String?
    var headers: [String: String] = [:]
    var body: [UInt8]?

    static func json(_ method: String, _ path: String, token: String?, _ text: String) -> HostileRequest {
        HostileRequest(method: method, path: path, token: token, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
    }

    static func json(_ method: String, _ path: String, token: String?, object: [String: Any]) throws -> HostileRequest {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return HostileRequest(method: method, path: path, token: token, headers: ["Content-Type": "application/json"], body: Array(data))
    }
}
