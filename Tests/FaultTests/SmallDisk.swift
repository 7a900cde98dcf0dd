import Foundation
#if canImport(Glibc)
import Glibc
import TestSupport
#endif

/// A real size-limited file system: a tmpfs mounted for one test (the tests run as root), which
/// a filler file fills to the last byte, so SQLite meets a real ENOSPC.
final class SmallDisk {
    let path: String
    var filler: String { path + "/filler" }

    init(megabytes: Int) throws {
        path = try scratchDirectory("disk")
        // mount(2) itself: no child process to wait for.
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m") == 0 else {
            let reason = String(cString: strerror(errno))
            throw TestFailure("mounting a \(megabytes) MB tmpfs at \(path) failed (the storage tests need root with CAP_SYS_ADMIN): \(reason)")
        }
    }

    /// Writes the filler until the file system refuses with ENOSPC; returns the bytes written.
    @discardableResult
    func fill() throws -> Int {
        let fd = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw TestFailure("cannot create \(filler): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        var chunk = 1 << 16
        let bytes = [UInt8](repeating: 0x5A, count: chunk)
        while chunk > 0 {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, chunk) }
            if n > 0 { written += n; continue }
            guard n < 0, errno == ENOSPC else { throw TestFailure("writing \(filler) failed: errno \(errno)") }
            chunk /= 2
        }
        return written
    }

    /// Space returns.
    func free() throws {
        try FileManager.default.removeItem(atPath: filler)
    }

    func unmount() {
        _ = umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }
}
