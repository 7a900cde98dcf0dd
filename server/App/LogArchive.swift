import DataProtection
import Foundation
import ServerEngine

/// Archive files of the logs the retention trims, in one directory. Each file is JSON lines: a
/// header naming the log, its entries' ids and the archive before it (name, digest and the
/// anchor entry), then one entry per line, oldest first. The store keeps the latest file's
/// name and SHA-256 with the last entry, so the files chain back from the database.
///
///     {"log":"security_log","first":1,"last":5000,"entries":5000,"previous":null}
///     {"id":1,"at_ms":1764460800000,"kind":"bootstrap",…}
struct LogArchive: Sendable {
    let directory: String

    /// Writes `batch` to `<log>-<first>-<last>.jsonl`, durably (written, synced, renamed into
    /// place, the directory synced) before it returns its name and digest.
    func write(_ batch: LogBatch) throws(ServerAppError) -> ArchiveFile {
        guard let first = batch.entries.first, let last = batch.entries.last else {
            throw ServerAppError(.archive, "an archive of \(batch.log.rawValue) with no entries")
        }
        let name = "\(batch.log.rawValue)-\(first.id)-\(last.id).jsonl"
        var header: [String: Any] = ["log": batch.log.rawValue, "first": first.id, "last": last.id, "entries": batch.entries.count,
                                     "previous": NSNull()]
        if let previous = batch.previous {
            header["previous"] = ["archive": previous.archive.name, "digest": previous.archive.digest,
                                  "through_id": previous.throughID, "entry": previous.entry]
        }
        var text: String
        do {
            text = String(decoding: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), as: UTF8.self) + "\n"
        } catch {
            throw ServerAppError(.archive, "the header of \(name) cannot be written: \(error)")
        }
        for entry in batch.entries { text += entry.json + "\n" }
        let bytes = Data(text.utf8)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let temporary = URL(fileURLWithPath: directory).appendingPathComponent(".\(name).partial")
            let final = URL(fileURLWithPath: directory).appendingPathComponent(name)
            FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            try handle.close()
            // rename(2) replaces an archive of the same entries a failed run left behind.
            guard rename(temporary.path, final.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            let folder = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory))
            try folder.synchronize()
            try folder.close()
        } catch {
            throw ServerAppError(.archive, "\(name) cannot be written in \(directory): \(error.localizedDescription); nothing was deleted")
        }
        return ArchiveFile(name: name, digest: ContentHash.sha256(bytes))
    }
}
