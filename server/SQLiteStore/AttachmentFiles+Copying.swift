import Foundation
import ServerEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AttachmentFiles {
    /// Takes a copy of the complete file at `source` as the bytes of `sha256`, unless they are
    /// held already (same name, same bytes): copied beside its place, checked against the hash,
    /// fsynced and renamed in, as an upload completes. Whether it copied. Backups and restores
    /// move files so.
    func adopt(copyOf source: String, sha256: String) throws -> Bool {
        let target = completePath(sha256)
        guard try Self.size(of: target) == nil else { return false }
        try makeDirectory(shardDirectory(sha256))
        let temporary = target + ".copy"
        try Self.remove(temporary)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw SyncEngineError(.storage, "attachment bytes: copying \(source) to \(temporary) failed: \(error)")
        }
        let actual = try Self.hash(temporary)
        guard actual == sha256 else {
            try Self.remove(temporary)
            throw SyncEngineError(.storage, "attachment bytes: \(source) hashes to \(actual), not to its name \(sha256); not copied")
        }
        try Self.withDescriptor(temporary, O_RDONLY) { fd in
            guard fsync(fd) == 0 else { throw Self.failure("fsync", temporary) }
        }
        guard rename(temporary, target) == 0 else { throw Self.failure("rename to \(target)", temporary) }
        try Self.syncDirectory(shardDirectory(sha256))
        return true
    }

    /// Copies every complete file of `self` into `destination`; how many it copied.
    func copyComplete(into destination: AttachmentFiles) throws -> Int {
        var copied = 0
        for file in try heldFiles() where file.isComplete {
            if try destination.adopt(copyOf: file.path, sha256: file.sha256) { copied += 1 }
        }
        return copied
    }
}
