import Foundation
import ServerPostgres

/// The PostgreSQL the storage suites run on: `DOORSTEP_TEST_POSTGRES_URL`, which
/// `scripts/test.sh` sets after starting a throwaway cluster. Under CI (`CI=true`, as
/// `scripts/test.sh` sets) the PostgreSQL cases always run, so a missing URL fails them; elsewhere
/// the suites run on SQLite alone and say so once.
public enum TestPostgres {
    public static let url = ProcessInfo.processInfo.environment["DOORSTEP_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the PostgreSQL cases run: with a URL, and under CI always.
    public static let runs: Bool = {
        if url == nil && !isCI {
            FileHandle.standardError.write(Data("PostgreSQL cases skipped: DOORSTEP_TEST_POSTGRES_URL is not set (scripts/test.sh starts a cluster and sets it)\n".utf8))
        }
        return url != nil || isCI
    }()

    /// The cluster's URL, or the failure a PostgreSQL case gets under CI without one.
    public static func requireURL() throws -> String {
        guard let url else {
            throw TestFailure("DOORSTEP_TEST_POSTGRES_URL is not set but CI=true: the PostgreSQL suites must run in CI; scripts/test.sh starts a cluster and sets it")
        }
        return url
    }

    /// How long a store operation of the suites may take (a deployment's default is 60 s): in CI
    /// every suite shares two cores and this one cluster, and an operation there has taken over a
    /// minute. The tests of the deadline itself set their own.
    public static let operationTimeout: Duration = .seconds(300)

    /// A schema name no other test uses.
    public static func freshSchema(prefix: String = "t_") -> String {
        prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    /// A fresh schema of the cluster (its tables are created by the store on first open).
    public static func freshLocation(prefix: String = "t_") throws -> PostgresLocation {
        var location = try PostgresLocation(url: try requireURL()).withSchema(freshSchema(prefix: prefix))
        location.operationTimeout = operationTimeout
        return location
    }

    /// The `--database` URL of a server process the tests start: the cluster's, on `schema`, with
    /// the suites' operation timeout. Not for libpq's tools, which refuse the server's options.
    public static func serverURL(schema: String) throws -> String {
        let url = try requireURL()
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)&operation_timeout=\(operationTimeout.components.seconds)"
    }
}

/// A test's own failure outside an expectation: a fixture it could not build, a value it needed.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
