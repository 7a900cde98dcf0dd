// swift-tools-version: 6.1
import PackageDescription

// The libFuzzer target over SyncProtocol's frame inflater and message decoders. A package of
// its own, built with its own scratch path (`scripts/fuzz.sh`), so the fuzzer's instrumentation
// never touches the normal build.
let package = Package(
    name: "DoorstepFuzz",
    dependencies: [.package(name: "Doorstep", path: "..")],
    targets: [
        .executableTarget(
            name: "doorstep-fuzz",
            dependencies: ["FuzzMain", .product(name: "SyncProtocol", package: "Doorstep")],
            path: "Sources/doorstep-fuzz",
            // The entry point is FuzzMain's, which starts libFuzzer's driver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .target(name: "FuzzMain", path: "Sources/FuzzMain"),
    ],
    swiftLanguageModes: [.v6]
)
