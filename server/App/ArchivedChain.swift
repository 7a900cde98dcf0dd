import DataProtection
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP

/// Verifies a chained log across its archive files and the database as one chain (SPEC §11.8):
/// the files are read back from the newest, each checked against the SHA-256 the next one (or
/// `log_anchors`) records; every archived entry's link is recomputed from its columns; the last
/// archived link must be the database's anchor; then the database's entries are walked.
///
///     let result = try await ArchivedChain(directory: configuration.archiveDirectory, chains: LogChains(keys: ring))
///         .verify(.audit, store: store)
public struct ArchivedChain: Sendable {
    public let directory: String
    let chains: LogChains

    public init(directory: String, chains: LogChains) {
        self.directory = directory
        self.chains = chains
    }

    public func verify(_ log: ChainedLog, store: any ServerStore) async throws -> LogVerification {
        let stored = try await store.verify(log)
        guard let retained = RetainedLog(rawValue: log.rawValue), let anchor = try await store.logAnchor(retained) else { return stored }
        let files: [[String]]
        do { files = try read(anchor.archive) } catch let broken as Broken {
            return LogVerification(log: log, anchorID: 0, checked: 0, headID: stored.headID, head: stored.head, firstBroken: broken.entry)
        }
        let state = try await store.chainState(log)
        var walk: ChainWalk? = nil
        var first: Int64 = 0
        for line in files.joined() {
            let (id, entry, link) = try chainBytes(log, line)
            if walk == nil {
                // Entries archived from before the log was chained carry no link.
                guard link != nil else { continue }
                first = id - 1
                walk = ChainWalk(key: chains.key(log), state: LogChainState(log: log, anchorID: first, anchor: Self.origin,
                                                                            headID: state.anchorID, head: state.anchor))
            }
            guard walk!.check(id: id, entry: entry, stored: link) else { break }
        }
        guard let walk else { return stored }
        if let broken = walk.brokenEntry {
            return LogVerification(log: log, anchorID: first, checked: walk.checkedCount, headID: stored.headID, head: stored.head, firstBroken: broken)
        }
        guard walk.last.id == state.anchorID, walk.last.link == state.anchor else {
            let broken = LogVerification.Broken(id: state.anchorID, reason: walk.last.id == state.anchorID
                ? "archived entry \(state.anchorID) has another link than the database's anchor: archives or database were rewritten"
                : "the archives end at entry \(walk.last.id), but the database's chain continues from entry \(state.anchorID)")
            return LogVerification(log: log, anchorID: first, checked: walk.checkedCount, headID: stored.headID, head: stored.head, firstBroken: broken)
        }
        return LogVerification(log: log, anchorID: first, checked: walk.checkedCount + stored.checked, headID: stored.headID, head: stored.head,
                               firstBroken: stored.firstBroken)
    }

    /// The entry lines of every archive file, oldest file first, each file checked against the
    /// digest its successor (or the database, for the newest) records.
    func read(_ newest: ArchiveFile) throws -> [[String]] {
        var out: [[String]] = []
        var next: ArchiveFile? = newest
        var recordedBy = "log_anchors"
        while let file = next {
            guard let data = FileManager.default.contents(atPath: directory + "/" + file.name) else {
                throw Broken(file, "archive \(file.name) (named by \(recordedBy)) is missing from \(directory)")
            }
            guard ContentHash.sha256(data) == file.digest else {
                throw Broken(file, "archive \(file.name) does not have the SHA-256 \(recordedBy) records: it was edited or replaced")
            }
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            guard !lines.isEmpty, let header = try? JSONSerialization.jsonObject(with: Data(lines.removeFirst().utf8)) as? [String: Any] else {
                throw Broken(file, "archive \(file.name) has no header line")
            }
            out.insert(lines, at: 0)
            recordedBy = "the header of \(file.name)"
            next = (header["previous"] as? [String: Any]).flatMap { previous in
                (previous["archive"] as? String).flatMap { name in (previous["digest"] as? String).map { ArchiveFile(name: name, digest: $0) } }
            }
        }
        return out
    }

    /// An archived entry's id, the bytes its link commits to, and its stored link.
    func chainBytes(_ log: ChainedLog, _ line: String) throws -> (Int64, [UInt8], [UInt8]?) {
        guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let id = Self.int(row["id"]) else {
            throw ServerAppError(.archive, "an archived line of \(log.rawValue) is not an entry: \(line.prefix(80))")
        }
        let text = { (key: String) in row[key] as? String }
        let number = { (key: String) in Self.int(row[key]) }
        let entry: [UInt8]
        do {
            switch log {
            case .audit:
                let key = try StoredColumns.key(collection: number("collection") ?? -1, record: Self.bytes(text("record")) ?? [],
                                                village: number("village") ?? -1)
                entry = try StoredColumns.auditEntry(atMilliseconds: number("at_ms") ?? 0, worker: text("worker") ?? "", device: text("device") ?? "",
                                                     replica: number("replica") ?? 0, counter: number("counter") ?? 0, key: key,
                                                     action: text("action") ?? "", field: number("field"), outcome: text("outcome") ?? "").chainBytes
            case .security:
                entry = try StoredDirectoryColumns.securityEvent(id: id, atMilliseconds: number("at_ms") ?? 0, kind: text("kind") ?? "",
                                                                 actor: text("actor"), credential: text("credential"), subject: text("subject") ?? "",
                                                                 detail: text("detail") ?? "", count: number("count") ?? 1).chainBytes
            }
        } catch {
            throw ServerAppError(.archive, "archived entry \(id) of \(log.rawValue) cannot be read: \(error)")
        }
        return (id, entry, Self.bytes(text("chain")))
    }

    /// Bytes as the archives write them: `\x` and lowercase hex.
    static func bytes(_ text: String?) -> [UInt8]? {
        guard let text, text.hasPrefix("\\x"), text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = text.index(text.startIndex, offsetBy: 2)
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// The link before a log's first chained entry.
    static let origin = [UInt8](repeating: 0, count: 32)

    static func int(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    /// An archive file that is missing or not what the chain of digests records.
    struct Broken: Error {
        let entry: LogVerification.Broken
        init(_ file: ArchiveFile, _ reason: String) { entry = .init(id: 0, reason: reason) }
    }
}
