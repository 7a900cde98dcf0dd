import Crypto
import Foundation

/// The keys that protect personal data at rest: numbered data keys (one active, the others
/// kept to read what they sealed until a rotation re-seals it) and the index secret, from which
/// blind indexes, derived record ids and log chains take their keys.
///
/// Kept outside the database it protects: a key file (`KeyRingFile`), an environment variable,
/// or a key store on a device. Its text form, one key a line:
///
///     # Doorstep data keys: keep this file away from the database and its backups.
///     index 3q2+7w...=
///     data 1 Vb3x...=
///     data 2 8KfQ...= active
///
/// The index secret is never rotated: record ids of imported rosters derive from it, and
/// changing it would make every blind index and chain unverifiable. Data keys rotate
/// (`addingKey()`, then a re-seal of what older keys sealed).
public struct KeyRing: Sendable {
    public let activeKeyID: UInt32
    let keys: [UInt32: Secret]
    let indexSecret: Secret

    public init(keys: [UInt32: SymmetricKey], activeKeyID: UInt32, indexSecret: SymmetricKey) throws(KeyRingError) {
        try self.init(secrets: keys.mapValues(Secret.init), activeKeyID: activeKeyID, indexSecret: Secret(indexSecret))
    }

    init(secrets keys: [UInt32: Secret], activeKeyID: UInt32, indexSecret: Secret) throws(KeyRingError) {
        guard keys[activeKeyID] != nil else { throw KeyRingError("the active data key \(activeKeyID) is not in the ring (\(keys.keys.sorted()))") }
        guard activeKeyID > 0, keys.keys.allSatisfy({ $0 > 0 }) else { throw KeyRingError("data key ids start at 1") }
        guard keys.values.allSatisfy({ $0.bytes.count == 32 }), indexSecret.bytes.count == 32 else {
            throw KeyRingError("every key is 256 bits (32 bytes, 44 characters of base64)")
        }
        self.keys = keys
        self.activeKeyID = activeKeyID
        self.indexSecret = indexSecret
    }

    /// A new ring: a fresh index secret and data key 1.
    public static func generate() -> KeyRing {
        // Cannot fail: key 1 is present, active and 256 bits long.
        try! KeyRing(secrets: [1: .random()], activeKeyID: 1, indexSecret: .random())
    }

    /// The same ring with a fresh data key, numbered after the highest, made active. What the
    /// older keys sealed stays readable until it is re-sealed.
    public func addingKey() -> KeyRing {
        let id = (keys.keys.max() ?? 0) + 1
        var keys = self.keys
        keys[id] = .random()
        return try! KeyRing(secrets: keys, activeKeyID: id, indexSecret: indexSecret)
    }

    /// The same ring without data key `id` (once nothing sealed under it remains).
    public func removingKey(_ id: UInt32) throws(KeyRingError) -> KeyRing {
        guard id != activeKeyID else { throw KeyRingError("data key \(id) is the active key; add a new key before removing it") }
        guard keys[id] != nil else { throw KeyRingError("the ring holds no data key \(id) (it holds \(keyIDs.map(String.init).joined(separator: ", ")))") }
        var keys = self.keys
        keys[id] = nil
        return try KeyRing(secrets: keys, activeKeyID: activeKeyID, indexSecret: indexSecret)
    }

    public var keyIDs: [UInt32] { keys.keys.sorted() }

    func key(_ id: UInt32) -> SymmetricKey? { keys[id]?.key }

    /// A key for one purpose, derived from the index secret (HKDF-SHA256), so that a blind index,
    /// a derived id and a log chain never share a key.
    func derivedKey(_ purpose: String) -> Secret {
        Secret(HKDF<SHA256>.deriveKey(inputKeyMaterial: indexSecret.key, info: Array("doorstep/\(purpose)".utf8), outputByteCount: 32))
    }
}

/// A key ring that cannot be read or used, with the reason.
public struct KeyRingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
