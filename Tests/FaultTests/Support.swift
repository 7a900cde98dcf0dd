import Foundation
import LoadSimulation

/// The executables beside the test bundle (`swift build --build-tests` builds them).
let binaries = ChildProcess.siblings

/// A fresh scratch directory for one test.
func scratchDirectory(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "doorstep-faults-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
