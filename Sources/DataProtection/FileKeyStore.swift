import Foundation

/// A key store in a directory of its own (mode 0700), one file per item (mode 0600), each
/// replaced atomically (written aside, synced, renamed). For Linux, where no keychain exists:
/// the simulator, `doorstep-device` and tests.
///
///     let store = FileKeyStore(directory: "device/keys")
///     let ring = try store.keyRing("replica")
public struct FileKeyStore: KeyStore {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The store a replica at `replicaPath` uses unless it is given another: `<replicaPath>.keys/`.
    public static func beside(_ replicaPath: String) -> FileKeyStore { FileKeyStore(directory: replicaPath + ".keys") }

    func path(_ name: String) throws(KeyStoreError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard !name.isEmpty, name.first != ".", name.allSatisfy(allowed.contains) else {
            throw KeyStoreError("item name \"\(name.prefix(40))\": use lower-case letters, digits, '-', '_' and '.', not starting with '.'")
        }
        return directory + "/" + name
    }

    public func item(_ name: String) throws(KeyStoreError) -> [UInt8]? {
        let path = try path(name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyStoreError("cannot read \(path)") }
        return Array(data)
    }

    public func setItem(_ name: String, _ value: [UInt8]) throws(KeyStoreError) {
        let path = try path(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            let temporary = path + ".new"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(value), attributes: [.posixPermissions: 0o600]) else {
                throw KeyStoreError("cannot write \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw KeyStoreError("cannot move \(temporary) to \(path): errno \(errno)") }
        } catch let error as KeyStoreError {
            throw error
        } catch {
            throw KeyStoreError("cannot store \(name) in \(directory): \(error)")
        }
    }

    public func removeItem(_ name: String) throws(KeyStoreError) {
        let path = try path(name)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch { throw KeyStoreError("cannot remove \(path): \(error)") }
    }

    public func removeAll() throws(KeyStoreError) {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        do { try FileManager.default.removeItem(atPath: directory) } catch { throw KeyStoreError("cannot remove \(directory): \(error)") }
    }
}
