import Foundation

/// Where a server reads its key ring when it starts: a key file (`KeyRingFile`) or an
/// environment variable (`KeyRingVariable`), never the database it protects.
///
/// A KMS (a cloud key service, an HSM) plugs in as another source: it keeps the ring's text
/// sealed by a master key that never leaves the KMS (envelope encryption), and `load()` asks
/// the KMS to unseal it at start, so the host's disk holds no usable key.
public protocol KeyRingSource: Sendable, CustomStringConvertible {
    func load() async throws(KeyRingError) -> KeyRing
}

/// A key ring in a file of its own, readable by its owner only (0600; a file others may read
/// is refused, as ssh refuses such a private key).
public struct KeyRingFile: KeyRingSource {
    public let path: String
    /// Whether a missing file is created with a fresh ring (a first start) rather than refused.
    public var createIfMissing: Bool

    public init(path: String, createIfMissing: Bool = false) {
        self.path = path
        self.createIfMissing = createIfMissing
    }

    public var description: String { "key file \(path)" }

    public func load() throws(KeyRingError) -> KeyRing {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard createIfMissing else { throw KeyRingError("no key file at \(path); create one with `doorstep-server admin generate-key --key-file \(path)`") }
            let ring = KeyRing.generate()
            try save(ring)
            return ring
        }
        let mode = ((try? manager.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw KeyRingError("key file \(path) has mode \(String(mode, radix: 8)); others may read it. `chmod 600 \(path)`")
        }
        guard let data = manager.contents(atPath: path) else { throw KeyRingError("cannot read key file \(path)") }
        do { return try KeyRing(text: String(decoding: data, as: UTF8.self)) } catch {
            throw KeyRingError("key file \(path): \(error.message)")
        }
    }

    /// Writes `ring` (mode 0600, atomically: written aside, synced, renamed).
    public func save(_ ring: KeyRing) throws(KeyRingError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let temporary = path + ".new"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(ring.text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw KeyRingError("cannot write \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw KeyRingError("cannot move \(temporary) to \(path): errno \(errno)") }
        } catch let error as KeyRingError {
            throw error
        } catch {
            throw KeyRingError("cannot write key file \(path): \(error)")
        }
    }
}

/// A key ring in an environment variable, its lines separated by newlines or `;` (a container
/// secret, a systemd credential).
public struct KeyRingVariable: KeyRingSource {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "environment variable \(name)" }

    public func load() throws(KeyRingError) -> KeyRing {
        do { return try KeyRing(text: value) } catch { throw KeyRingError("\(name): \(error.message)") }
    }
}
