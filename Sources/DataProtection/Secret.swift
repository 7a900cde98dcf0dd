import Crypto

/// A 256-bit secret as the key ring keeps it. swift-crypto's `SymmetricKey` is not `Sendable`
/// on every platform; a secret's bytes are, and each use makes its key from them.
struct Secret: Sendable, Hashable {
    let bytes: [UInt8]

    init(_ key: SymmetricKey) { bytes = key.withUnsafeBytes { Array($0) } }

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func random() -> Secret { Secret(SymmetricKey(size: .bits256)) }

    var key: SymmetricKey { SymmetricKey(data: bytes) }
}
