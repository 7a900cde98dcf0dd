import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The evidence files a replica keeps until they are uploaded: `<replica path>.evidence/<sha256>`,
/// outside the database (SQLite rows hold no bytes: a 400 KB photo per visit would swell the
/// file, its WAL and every checkpoint). A file is named by its content, so the same bytes
/// captured twice are one file.
struct EvidenceFiles: Sendable {
    let directory: String

    init(replicaPath: String) { directory = replicaPath + ".evidence" }

    func path(_ sha256: String) -> String { directory + "/" + sha256 }

    func exists(_ sha256: String) -> Bool { FileManager.default.fileExists(atPath: path(sha256)) }

    /// Writes `bytes` as the file of `sha256` unless it is there already, durably: to a temporary
    /// name, fsynced, renamed, and the directory fsynced, so a power cut leaves the whole file or
    /// none under its name. True when this call created it.
    @discardableResult
    func store(_ bytes: [UInt8], sha256: String) throws(ReplicaError) -> Bool {
        guard !exists(sha256) else { return false }
        let target = path(sha256)
        let temporary = directory + "/.tmp-" + sha256 + "-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw ReplicaError(.storage, "cannot write \(temporary) (\(bytes.count) bytes)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, target) == 0 else { throw ReplicaError(.storage, "cannot move \(temporary) to \(target): errno \(errno)") }
            try syncDirectory()
            return true
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let error = error as? ReplicaError { throw error }
            throw ReplicaError(.storage, "cannot store evidence \(sha256) in \(directory): \(error)")
        }
    }

    /// Makes the directory's entries (a rename, a removal) durable.
    private func syncDirectory() throws(ReplicaError) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { throw ReplicaError(.storage, "cannot open \(directory) to sync it: errno \(errno)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ReplicaError(.storage, "cannot sync \(directory): errno \(errno)") }
    }

    func remove(_ sha256: String) throws(ReplicaError) {
        guard exists(sha256) else { return }
        do { try FileManager.default.removeItem(atPath: path(sha256)) } catch {
            throw ReplicaError(.storage, "cannot remove evidence file \(path(sha256)): \(error)")
        }
    }

    /// The names in the directory (hashes, and temporary files a crash left).
    func names() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] }

    func removeAll() throws(ReplicaError) {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        do { try FileManager.default.removeItem(atPath: directory) } catch { throw ReplicaError(.storage, "cannot delete \(directory): \(error)") }
    }
}
