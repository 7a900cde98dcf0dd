// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Doorstep",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FieldModel", targets: ["FieldModel"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "SyncProtocol", targets: ["SyncProtocol"]),
        .library(name: "DataProtection", targets: ["DataProtection"]),
        .library(name: "Replica", targets: ["Replica"]),
        .library(name: "SyncClient", targets: ["SyncClient"]),
        .library(name: "ServerEngine", targets: ["ServerEngine"]),
        .library(name: "ServerSQLite", targets: ["ServerSQLite"]),
        .library(name: "ServerPostgres", targets: ["ServerPostgres"]),
        .library(name: "ServerDirectory", targets: ["ServerDirectory"]),
        .library(name: "ServerHTTP", targets: ["ServerHTTP"]),
        .library(name: "SyncClientHTTP", targets: ["SyncClientHTTP"]),
        .executable(name: "doorstep-server", targets: ["doorstep-server"]),
        .executable(name: "doorstep-device", targets: ["doorstep-device"]),
        .executable(name: "client-sim", targets: ["client-sim"]),
        .executable(name: "doorstep-bench", targets: ["doorstep-bench"]),
        .executable(name: "doorstep-gen", targets: ["doorstep-gen"]),
        .executable(name: "doorstep-soak", targets: ["doorstep-soak"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Server only: no swift-configuration. TLS through HummingbirdTLS (`serve --tls-certificate`),
        // or a proxy in front terminates it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // TLS for PostgreSQL connections and for the server itself (`serve --tls-certificate`).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Latencies of load runs and benchmarks: percentiles without keeping every sample.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The server's configuration: options, environment and a JSON file in one precedence.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The ops pages: Mustache templates, every value HTML-escaped unless a template says otherwise.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Shared libraries: what a device app links. Pure: no I/O.
        .target(name: "FieldModel", path: "Sources/FieldModel"),
        .target(name: "SyncCore", dependencies: ["FieldModel"], path: "Sources/SyncCore"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "SyncProtocol",
            dependencies: [
                "SyncCore", "FieldModel", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/SyncProtocol"
        ),

        // Keys, sealing (AES-GCM), blind indexes and key stores: personal data at rest, on the
        // device and the server.
        .target(name: "DataProtection", dependencies: [.product(name: "Crypto", package: "swift-crypto")], path: "Sources/DataProtection"),
        .target(
            name: "Replica",
            dependencies: ["FieldModel", "SyncCore", "SyncProtocol", "DataProtection", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Replica"
        ),
        .target(name: "SyncClient", dependencies: ["Replica", "SyncProtocol", "SyncCore", "FieldModel"], path: "Sources/SyncClient"),
        // SyncClient's transport over HTTP, enrolment, and evidence uploads.
        .target(
            name: "SyncClientHTTP",
            dependencies: [
                "SyncClient", "Replica", "SyncProtocol", "SyncCore", "FieldModel", "DataProtection",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/SyncClientHTTP"
        ),

        // The sync server: the engine (no HTTP) and its storage backends.
        .target(name: "ServerEngine", dependencies: ["FieldModel", "SyncCore", "SyncProtocol", "DataProtection"], path: "server/Engine"),
        .target(
            name: "ServerSQLite",
            dependencies: ["ServerEngine", "ServerDirectory", "ServerOps", "SyncCore", "FieldModel", "DataProtection", .product(name: "GRDB", package: "GRDB.swift")],
            path: "server/SQLiteStore"
        ),
        // The backend for several server instances sharing one PostgreSQL database.
        .target(
            name: "ServerPostgres",
            dependencies: [
                "ServerEngine", "ServerDirectory", "ServerOps", "SyncCore", "FieldModel", "DataProtection",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "server/PostgresStore"
        ),
        // Workers, devices, tokens and the security audit: who may do what.
        .target(
            name: "ServerDirectory",
            dependencies: ["ServerEngine", "SyncCore", "FieldModel", .product(name: "Crypto", package: "swift-crypto")],
            path: "server/Directory"
        ),
        // What ops reads: sync history, device status, the overview, alerts and the page. Pure.
        .target(name: "ServerOps", dependencies: ["FieldModel", "SyncCore", .product(name: "Mustache", package: "swift-mustache")], path: "server/Ops"),
        // The HTTP API over the engine and the directory.
        .target(
            name: "ServerHTTP",
            dependencies: [
                "ServerEngine", "ServerDirectory", "ServerOps", "SyncProtocol", "SyncCore", "FieldModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "server/HTTP"
        ),
        // The one assembly of a server from its configuration: `serve`, the embedded server, the
        // tests and the simulator all build it here.
        .target(
            name: "ServerApp",
            dependencies: [
                "ServerHTTP", "ServerSQLite", "ServerPostgres", "ServerEngine", "ServerDirectory", "ServerOps", "SyncCore", "FieldModel", "DataProtection",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "server/App"
        ),
        .executableTarget(
            name: "doorstep-server",
            dependencies: [
                "ServerApp", "ServerHTTP", "ServerOps", "SyncProtocol", "ServerEngine", "ServerDirectory", "FieldModel", "DataProtection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "server/doorstep-server"
        ),

        // Seeded synthetic data for tests, the simulator and benchmarks.
        .target(name: "SyntheticData", dependencies: ["FieldModel"], path: "client-sim/SyntheticData"),
        .executableTarget(
            name: "doorstep-gen",
            dependencies: [
                "SyntheticData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "client-sim/doorstep-gen"
        ),
        // The deterministic in-process simulation: a server engine and devices on a simulated
        // clock and network, driven by a seed.
        .target(
            name: "SyncSimulation",
            dependencies: ["ServerEngine", "ServerSQLite", "ServerDirectory", "ServerOps", "ServerHTTP", "ServerApp", "Replica", "SyncClient", "SyncClientHTTP",
                           "SyncProtocol", "SyncCore", "FieldModel", "SyntheticData", "DataProtection"],
            path: "client-sim/SyncSimulation"
        ),
        .executableTarget(
            name: "doorstep-soak",
            dependencies: ["SyncSimulation", "ServerApp", "SyncCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "client-sim/doorstep-soak"
        ),
        // The load simulator: N real devices against real servers, scenarios, verification.
        .target(
            name: "LoadSimulation",
            dependencies: ["ServerHTTP", "ServerApp", "ServerSQLite", "ServerDirectory", "ServerEngine", "SyncClientHTTP", "SyncClient", "Replica",
                           "SyncProtocol", "SyncCore", "FieldModel", "SyntheticData", "DataProtection",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "client-sim/LoadSimulation"
        ),
        .executableTarget(
            name: "client-sim",
            dependencies: ["LoadSimulation", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "client-sim/ClientSimCommand"
        ),
        // A field device on the command line: enrol, write, sync (the quick start's device).
        .executableTarget(
            name: "doorstep-device",
            dependencies: [
                "SyncClientHTTP", "SyncClient", "Replica", "SyncCore", "FieldModel", "DataProtection", "SyntheticData",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "client-sim/doorstep-device"
        ),
        // SQLite's session extension, for the benchmarks' patchset baseline.
        .systemLibrary(name: "CSQLiteSession", path: "benchmarks/CSQLiteSession"),
        .systemLibrary(name: "CMalloc", path: "benchmarks/CMalloc"),
        .executableTarget(
            name: "doorstep-bench",
            dependencies: [
                "ServerEngine", "ServerSQLite", "Replica", "SyncClient", "SyncProtocol", "SyncCore", "FieldModel", "SyntheticData",
                "LoadSimulation", "CSQLiteSession", "CMalloc", "DataProtection",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "benchmarks/doorstep-bench"
        ),

        // What several test targets share: the PostgreSQL the storage suites run on, a relay that goes silent, a test's own failure.
        .target(name: "TestSupport", dependencies: ["ServerPostgres", .product(name: "NIOCore", package: "swift-nio"),
                                                  .product(name: "NIOPosix", package: "swift-nio")], path: "Tests/TestSupport"),
        .testTarget(name: "FieldModelTests", dependencies: ["FieldModel", "SyntheticData"], path: "Tests/FieldModelTests"),
        .testTarget(name: "SyntheticDataTests", dependencies: ["SyntheticData", "FieldModel"], path: "Tests/SyntheticDataTests"),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "FieldModel", "SyntheticData"], path: "Tests/SyncCoreTests"),
        .testTarget(name: "DataProtectionTests", dependencies: ["DataProtection"], path: "Tests/DataProtectionTests"),
        .testTarget(
            name: "SyncProtocolTests",
            dependencies: ["SyncProtocol", "SyncCore", "FieldModel", "SyntheticData", "CZlib"],
            path: "Tests/SyncProtocolTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ReplicaTests", dependencies: ["Replica", "SyncCore", "FieldModel", "SyncProtocol", "SyntheticData", "DataProtection",
                                                   .product(name: "GRDB", package: "GRDB.swift")],
                    path: "Tests/ReplicaTests"),
        .testTarget(
            name: "SyncClientTests",
            dependencies: ["SyncClient", "Replica", "ServerEngine", "ServerSQLite", "SyncProtocol", "SyncCore", "FieldModel", "SyntheticData",
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/SyncClientTests"
        ),
        .testTarget(name: "SyncSimulationTests", dependencies: ["SyncSimulation"], path: "Tests/SyncSimulationTests"),
        .testTarget(
            name: "ServerEngineTests",
            dependencies: ["TestSupport", "ServerEngine", "ServerSQLite", "ServerPostgres", "ServerOps", "SyncCore", "FieldModel", "SyncProtocol", "SyntheticData", "DataProtection"],
            path: "Tests/ServerEngineTests"
        ),
        .testTarget(
            name: "ServerHTTPTests",
            dependencies: ["TestSupport", 
                "ServerHTTP", "ServerApp", "ServerSQLite", "ServerDirectory", "ServerEngine", "ServerOps", "SyncClientHTTP", "SyncClient", "Replica",
                "SyncSimulation", "LoadSimulation", "SyncProtocol", "SyncCore", "FieldModel", "SyntheticData", "DataProtection", "ServerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ServerHTTPTests"
        ),
        .testTarget(name: "LoadSimulationTests", dependencies: ["LoadSimulation", "TestSupport", "DataProtection", "ServerSQLite", "ServerPostgres", "ServerEngine",
                                                                "SyncCore", "FieldModel", .product(name: "NIOCore", package: "swift-nio"),
                                                                .product(name: "NIOPosix", package: "swift-nio")], path: "Tests/LoadSimulationTests"),
        // Every command of the README, server/SCALING.md and the help texts, run.
        .testTarget(name: "ExampleTests", dependencies: ["LoadSimulation", "SyntheticData", "FieldModel", "TestSupport"], path: "Tests/ExampleTests"),
        // The assembly: configuration, retention on both backends, the soak.
        .testTarget(
            name: "ServerAppTests",
            dependencies: ["TestSupport", "ServerApp", "ServerEngine", "ServerDirectory", "ServerHTTP", "ServerPostgres", "SyncSimulation", "LoadSimulation", "SyncCore", "DataProtection",
                           .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/ServerAppTests"
        ),
        // Real processes killed at random instants, full disks, clocks a year off.
        .testTarget(
            name: "FaultTests",
            dependencies: ["TestSupport", "LoadSimulation", "SyncSimulation", "ServerHTTP", "ServerApp", "SyncClientHTTP", "SyncClient", "Replica", "SyncCore", "FieldModel", "SyntheticData"],
            path: "Tests/FaultTests"
        ),
        .testTarget(
            name: "ServerDirectoryTests",
            dependencies: ["TestSupport", "ServerDirectory", "ServerSQLite", "ServerPostgres", "ServerEngine", "SyncCore", "FieldModel", "DataProtection", "SyntheticData",
                           "LoadSimulation",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Tests/ServerDirectoryTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
