import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the JSON lines go: a file (created or truncated) or standard output.
struct OutputFile {
    private let handle: FileHandle
    private let closeWhenDone: Bool

    /// `-` is standard output.
    init(path: String) throws {
        if path == "-" {
            handle = .standardOutput
            closeWhenDone = false
        } else {
            // open(2) with O_TRUNC, not FileManager.createFile: that one writes a temporary file
            // and renames it over the path, which would replace a device such as /dev/null.
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                throw GenError(.output, "cannot open \(path) for writing: \(String(cString: strerror(errno))); check the directory exists and is writable")
            }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            closeWhenDone = true
        }
    }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try handle.write(contentsOf: bytes)
    }

    func close() throws {
        if closeWhenDone { try handle.close() }
    }
}

/// A failure to report to the user, in words that say what to do.
/// The one error of doorstep-gen: a code and a message that says what to do.
struct GenError: Error, CustomStringConvertible {
    enum Code: String { case output }
    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(code.rawValue): \(message)" }
}

/// Writes a line to standard error (progress and the summary never mix with the data).
func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Groups thousands for the summary: 50000 → 50,000.
func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
