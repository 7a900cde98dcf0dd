import DataProtection
import FieldModel
import Foundation
import ServerEngine
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// The bytes of attachments as files (SPEC §15.5): each complete file at
/// `<directory>/<first two hex digits>/<sha256>`, each unfinished upload at
/// `<directory>/partial/<sha256>`. A partial file grows by fsynced chunks; checked whole, it is
/// renamed into place (rename(2) is atomic) and both directories fsynced, so a complete file
/// is never seen half written and survives a crash. The caller serializes work per hash.
struct AttachmentFiles: Sendable {
    let directory: String

    var partialDirectory: String { directory + "/partial" }
    func shardDirectory(_ sha256: String) -> String { directory + "/" + sha256.prefix(2) }
    func completePath(_ sha256: String) -> String { shardDirectory(sha256) + "/" + sha256 }
    func partialPath(_ sha256: String) -> String { partialDirectory + "/" + sha256 }

    func held(_ sha256: String) throws -> HeldBytes {
        if let n = try Self.size(of: completePath(sha256)) { return .complete(n) }
        if let n = try Self.size(of: partialPath(sha256)) { return .partial(n) }
        return .none
    }

    func append(_ sha256: String, byteCount: Int64, offset: Int64, chunk: [UInt8]) throws -> AppendOutcome {
        let held = try held(sha256)
        if case .complete = held { return .completed }
        guard held.length == offset else { return .offsetMismatch(held: held) }
        guard Int64(chunk.count) <= byteCount - offset else {
            throw SyncEngineError(.invalidArgument, "\(chunk.count) bytes at offset \(offset) run past the \(byteCount) bytes of \(sha256)")
        }
        try makeDirectory(partialDirectory)
        let path = partialPath(sha256)
        try Self.withDescriptor(path, O_WRONLY | O_CREAT) { fd in
            do {
                try Self.write(chunk, at: offset, to: fd, path)
                guard fsync(fd) == 0 else { throw Self.failure("fsync", path) }
            } catch {
                // The held bytes stay as they were: the chunk is all or nothing.
                if case .none = held { _ = unlink(path) } else { _ = ftruncate(fd, off_t(offset)) }
                throw error
            }
        }
        if case .none = held { try Self.syncDirectory(partialDirectory) }
        let length = offset + Int64(chunk.count)
        guard length == byteCount else { return .held(length) }
        let actual = try Self.hash(path)
        guard actual == sha256 else {
            try Self.remove(path)
            return .hashMismatch(actual: actual)
        }
        try makeDirectory(shardDirectory(sha256))
        guard rename(path, completePath(sha256)) == 0 else { throw Self.failure("rename to \(completePath(sha256))", path) }
        try Self.syncDirectory(shardDirectory(sha256))
        try Self.syncDirectory(partialDirectory)
        return .completed
    }

    /// Bytes `range` of the complete file, nil when it is not complete.
    func read(_ sha256: String, range: Range<Int64>) throws -> [UInt8]? {
        let path = completePath(sha256)
        guard try Self.size(of: path) != nil else { return nil }
        return try Self.withDescriptor(path, O_RDONLY) { fd in
            var bytes = [UInt8](repeating: 0, count: range.count)
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(range.lowerBound) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Self.failure("read of bytes \(range) (\(done) read)", path) }
                done += n
            }
            return bytes
        }
    }

    /// Creates `path` (mode 0700) and its parents as needed; a new directory's entry is fsynced
    /// in its parent, so a complete file renamed into it survives a crash.
    func makeDirectory(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if mkdir(path, 0o700) == 0 { return try Self.syncDirectory(parent) }
        if errno == EEXIST { return }
        guard errno == ENOENT, !parent.isEmpty, parent != path else { throw Self.failure("mkdir", path) }
        try makeDirectory(parent)
        try makeDirectory(path)
    }

    static func size(of path: String) throws -> Int64? {
        var info = stat()
        if stat(path, &info) == 0 { return Int64(info.st_size) }
        if errno == ENOENT { return nil }
        throw failure("stat", path)
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    /// The SHA-256 of the file, read in pieces of 1 MiB.
    static func hash(_ path: String) throws -> String {
        try withDescriptor(path, O_RDONLY) { fd in
            var hash = ContentHash()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw failure("read", path) }
                if n == 0 { return hash.finalize() }
                hash.update(buffer[0..<n])
            }
        }
    }

    static func write(_ chunk: [UInt8], at offset: Int64, to fd: Int32, _ path: String) throws {
        var done = 0
        while done < chunk.count {
            let n = chunk.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write of \(chunk.count) bytes at offset \(offset) (\(done) written)", path) }
            done += n
        }
    }

    static func syncDirectory(_ path: String) throws {
        try withDescriptor(path, O_RDONLY | O_DIRECTORY) { fd in
            guard fsync(fd) == 0 else { throw failure("fsync of the directory", path) }
        }
    }

    static func withDescriptor<T>(_ path: String, _ flags: Int32, _ body: (Int32) throws -> T) throws -> T {
        let fd = open(path, flags | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        return try body(fd)
    }

    static func failure(_ operation: String, _ path: String) -> SyncEngineError {
        let code = errno
        return SyncEngineError(.storage, "attachment bytes: \(operation) of \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
