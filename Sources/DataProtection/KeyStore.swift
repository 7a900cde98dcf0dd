/// Where a device keeps its secrets: the key ring that seals its replica, and its bearer token.
///
/// On a phone, the platform keychain (`KeychainKeyStore`: items this device only, readable after
/// the first unlock); on Linux (the simulator, `doorstep-device`), a directory of 0600 files
/// (`FileKeyStore`). A remote wipe removes every item, which makes whatever the replica still
/// holds on disk unreadable even before the file is deleted.
public protocol KeyStore: Sendable {
    /// The item's bytes, nil when absent.
    func item(_ name: String) throws(KeyStoreError) -> [UInt8]?
    /// Stores `value` under `name`, replacing any earlier value, durably.
    func setItem(_ name: String, _ value: [UInt8]) throws(KeyStoreError)
    /// Removes one item (absent is fine).
    func removeItem(_ name: String) throws(KeyStoreError)
    /// Removes every item this store holds.
    func removeAll() throws(KeyStoreError)
}

extension KeyStore {
    /// The key ring stored under `name`, created (and stored) on first use.
    public func keyRing(_ name: String) throws(KeyStoreError) -> KeyRing {
        if let bytes = try item(name) {
            do { return try KeyRing(text: String(decoding: bytes, as: UTF8.self)) } catch {
                throw KeyStoreError("the key ring \(name) is unreadable: \(error.message)")
            }
        }
        let ring = KeyRing.generate()
        try setItem(name, Array(ring.text.utf8))
        return ring
    }

    public func text(_ name: String) throws(KeyStoreError) -> String? {
        try item(name).map { String(decoding: $0, as: UTF8.self) }
    }

    public func setText(_ name: String, _ text: String) throws(KeyStoreError) { try setItem(name, Array(text.utf8)) }
}

/// A key store that failed, with the reason (never the secret).
public struct KeyStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
