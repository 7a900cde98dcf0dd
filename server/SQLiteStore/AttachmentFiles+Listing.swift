import FieldModel
import Foundation
import ServerEngine

extension AttachmentFiles {
    /// One file of the attachment directory, complete or partial.
    struct HeldFile: Sendable, Hashable {
        let sha256: String
        let path: String
        let isComplete: Bool
    }

    /// Every file held, complete (in the two-hex-digit directories) and partial. Names that are
    /// not a hash (nothing the store writes) are left alone.
    func heldFiles() throws -> [HeldFile] {
        var found: [HeldFile] = []
        for entry in try Self.entries(directory) {
            let isShard = Self.isShardName(entry)
            guard isShard || entry == "partial" else { continue }
            let folder = directory + "/" + entry
            for name in try Self.entries(folder) where Attachment.isSHA256(name) {
                found.append(HeldFile(sha256: name, path: folder + "/" + name, isComplete: isShard))
            }
        }
        return found
    }

    /// Removes `file` when it was last written before `milliseconds` (since the epoch); whether it did.
    func remove(_ file: HeldFile, ifWrittenBefore milliseconds: Int64) throws -> Bool {
        let modified: Date
        do {
            guard let date = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date else { return false }
            modified = date
        } catch CocoaError.fileReadNoSuchFile, CocoaError.fileNoSuchFile {
            return false
        }
        guard Int64((modified.timeIntervalSince1970 * 1000).rounded(.down)) < milliseconds else { return false }
        try Self.remove(file.path)
        return true
    }

    /// The complete files, their count and bytes.
    func totals() throws -> (files: Int, bytes: Int64) {
        var files = 0, bytes: Int64 = 0
        for file in try heldFiles() where file.isComplete {
            guard let size = try Self.size(of: file.path) else { continue }
            files += 1
            bytes += size
        }
        return (files, bytes)
    }

    /// Two lower-case hex digits: the folder of the complete files whose hashes start so.
    static func isShardName(_ name: String) -> Bool {
        name.utf8.count == 2 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The names in `folder`; none when it does not exist (no upload began yet).
    static func entries(_ folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch CocoaError.fileReadNoSuchFile, CocoaError.fileNoSuchFile {
            return []
        } catch {
            throw SyncEngineError(.storage, "attachment bytes: listing \(folder) failed: \(error)")
        }
    }
}
